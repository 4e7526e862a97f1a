/// Analytic FLOP counts (2 per multiply-add) of the GEMM work a2m's denoiser does, for GFLOP/s tables.
/// Elementwise work (norms, softmax, activations) is not counted, as is usual for achieved-GFLOP/s figures.
public enum DenoiserFlops {
    /// Forward pass for `rows` rows of `frames` frames of which `keptRows` run the audio encoder.
    public static func forward(_ c: DenoiserConfig, rows b: Int, frames t: Int, keptRows bk: Int) -> Double {
        let d = Double(c.width), f = Double(c.ffn), p = Double(c.motionDim), m = Double(c.audioDim)
        let B = Double(b), T = Double(t), S = T + 2, Bk = Double(bk), n = B * T, nk = Bk * T
        var fl = 2 * n * p * d + 2 * n * d * p                                   // input and output projections
        fl += 2 * nk * m * d                                                      // audio input projection
        fl += Double(c.encoderLayers) * (2 * nk * d * 3 * d + 4 * Bk * T * T * d + 2 * nk * d * d + 4 * nk * d * f)
        fl += 2 * Bk * 2 * d * d                                                  // pool MLP
        fl += 2 * B * (d * 4 * d + 4 * d * d + 4 * d * 2 * d)                      // t1, t2, time tokens
        fl += Double(c.layers) * 3 * 2 * B * d * 2 * d                            // FiLM projections
        let perLayer = 2 * n * d * 2 * d + 2 * n * d * d + 4 * B * T * T * d + 2 * n * d * d   // self-attention
            + 2 * n * d * d + 2 * (B * S) * d * d * 2 + 4 * B * T * S * d + 2 * n * d * d        // cross-attention
            + 4 * n * d * f                                                                     // feed-forward
        return fl + Double(c.layers) * perLayer
    }

    /// Forward + backward (backward = 2 × forward, minus the input gradients nobody needs: motion, audio, time).
    public static func trainingStep(_ c: DenoiserConfig, rows b: Int, frames t: Int, keptRows bk: Int) -> Double {
        let d = Double(c.width), n = Double(b * t)
        let unneeded = 2 * n * Double(c.motionDim) * d + 2 * Double(bk * t) * Double(c.audioDim) * d + 2 * Double(b) * d * 4 * d
        return 3 * forward(c, rows: b, frames: t, keptRows: bk) - unneeded
    }
}
