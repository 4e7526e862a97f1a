import A2MCore

/// A reverse-diffusion update rule: one type per sampler, one instance per sampling run, holding whatever
/// state (and, for multistep solvers, history) the rule needs between steps. In the manner of
/// apple/ml-stable-diffusion's `Scheduler`.
///
/// The run is driven by `DenoisingLoop`, which owns the network, the per-row noise, the guidance mixer and the
/// long-form frame constraints; the sampler only decides where the state goes next. At step `index` the loop
/// evaluates the network at `timesteps[index]` on the current state x, mixes the branches into a
/// `GuidedPrediction`, and calls `step`. Because the constraints only need `marginal(step:)` (how clean frames
/// look at that step's noise level), the long-form window constraints work with any sampler.
///
/// Adding a sampler: one file with a type conforming to `Sampler`, and one case in `SamplerKind` that makes it
/// (docs/architecture.md, "Adding a sampler").
public protocol Sampler: AnyObject {
    /// Training timesteps the network is evaluated at, noisiest first; one network evaluation each.
    var timesteps: [Int] { get }

    /// The state at step `index` is x = scale·x0 + sigma·ε for clean data x0 and standard normal ε: the noise
    /// level at which `PrefixConstraint` imposes known frames before that step's network call.
    func marginal(step index: Int) -> (scale: Float, sigma: Float)

    /// The state after step `index`, from the state `x` the network saw and its guided `prediction`; after the
    /// last step, the clean sample. Fresh noise, if the rule needs any, comes from `noise` (row b from row b's
    /// generator), drawn in a fixed order so the same seed gives the same bytes.
    func step(_ index: Int, x: [Float], prediction: GuidedPrediction, noise: RowNoise) throws -> [Float]
}

/// What the guidance mixer hands a sampler step.
public struct GuidedPrediction {
    /// The guided x0 prediction x̂0 ([B, frames, D]).
    public var x0: [Float]
    /// The prediction the step's noise estimate ε̂ = (x_t − √ᾱ·x̃0)/√(1 − ᾱ) is taken from, when it is not `x0`:
    /// CFG++ takes it from the unconditional prediction. Nil: ε̂ from `x0` (classifier-free guidance).
    public var noiseX0: [Float]?

    public init(x0: [Float], noiseX0: [Float]? = nil) {
        self.x0 = x0
        self.noiseX0 = noiseX0
    }
}

/// The noise of a sampling run: one generator per batch row, so a row's draws do not depend on which other
/// rows share its batch. The loop draws x_T and the constraint noise from it, samplers their step noise.
public final class RowNoise {
    public private(set) var generators: [PCG32]

    public init(_ generators: [PCG32]) {
        self.generators = generators
    }

    public var rows: Int { generators.count }

    /// Fills `buffer` ([rows, n]) row by row, row b from generator b.
    public func fill(_ buffer: inout [Float]) {
        let per = buffer.count / generators.count
        buffer.withUnsafeMutableBufferPointer { p in
            for b in 0..<generators.count {
                generators[b].fillGaussian(UnsafeMutableBufferPointer(rebasing: p[b * per..<(b + 1) * per]))
            }
        }
    }

    /// One standard normal draw from row b's generator.
    public func gaussian(row b: Int) -> Float {
        generators[b].gaussian()
    }
}
