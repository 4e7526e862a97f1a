/// The foot term of the training loss (weighted by `LossWeights.footVelocity`). Computing it needs the skeleton
/// and the motion normalization, which the network does not know, so training supplies it
/// (`FootVelocityLoss`) and the denoiser calls it after its own terms.
package protocol FootLossTerm: AnyObject {
    /// Returns the unweighted loss, and adds weight · ∂loss/∂pred to `dpred` (+=) when it is given (the caller
    /// adds weight · loss to its total). `pred`, `target` [B, T, D] normalized; `mask` [B, T] or nil; `rowWeights`
    /// [B] or nil. `pairs` is the whole batch's count of valid frame pairs when these rows are one rank's shard of
    /// it (data-parallel training normalizes by the global count); nil counts the pairs of `mask`.
    func accumulate(dpred: FPtr?, pred: FPtr, target: FPtr, mask: FPtr?, rowWeights: FPtr?, b: Int, t: Int, weight: Float,
                    pairs: Double?) -> Double
}
