import Foundation

/// Sinusoidal timestep embedding as the torch reference's `temb` (float32 like torch):
/// f_j = exp(−ln(10000)·j/half), out[b] = [sin(t_b·f), cos(t_b·f)], half = C/2. No gradient (t is an integer).
func timestepEmbedding(out: FPtr, timesteps: [Int], c: Int) {
    let half = c / 2
    let lnBase = Float(-Foundation.log(10000.0))
    for (b, t) in timesteps.enumerated() {
        for j in 0..<half {
            let f = Foundation.exp(lnBase * Float(j) / Float(half))
            let e = Double(Float(t) * f)
            out[b * c + j] = Float(Foundation.sin(e))
            out[b * c + half + j] = Float(Foundation.cos(e))
        }
    }
}
