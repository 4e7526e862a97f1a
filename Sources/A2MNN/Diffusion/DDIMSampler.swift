/// DDIM (Song et al. 2021, eq. 12) on the respaced chain, network predicting x0:
///   σ = η·√((1−ᾱ')/(1−ᾱ))·√(1−ᾱ/ᾱ'), ε̂ = (x_t − √ᾱ·x̃0)/√(1−ᾱ), x_{t'} = √ᾱ'·x̂0 + √(1−ᾱ'−σ²)·ε̂ + σz,
/// ᾱ' of the next visited timestep (1 after the last step, which returns x̂0). η = 0 is deterministic given x_T.
public final class DDIMSampler: LinearStepSampler {
    public let schedule: DiffusionSchedule
    public let timesteps: [Int]
    public let eta: Double
    public let coefficients: [LinearStepCoefficients]

    public init(schedule: DiffusionSchedule, timesteps: [Int], eta: Double) {
        self.schedule = schedule
        self.timesteps = timesteps
        self.eta = eta
        coefficients = Self.coefficients(schedule: schedule, timesteps: timesteps, eta: eta)
    }

    static func coefficients(schedule: DiffusionSchedule, timesteps: [Int], eta: Double) -> [LinearStepCoefficients] {
        timesteps.indices.map { i in
            let ab = schedule.alphasCumprod64[timesteps[i]]
            let abPrev = i + 1 < timesteps.count ? schedule.alphasCumprod64[timesteps[i + 1]] : 1.0
            let sigma = eta * ((1 - abPrev) / (1 - ab)).squareRoot() * (1 - ab / abPrev).squareRoot()
            let a = Swift.max(0, 1 - abPrev - sigma * sigma).squareRoot() / (1 - ab).squareRoot()
            return LinearStepCoefficients(a: Float(a), b: Float(abPrev.squareRoot() - a * ab.squareRoot()), s: Float(sigma),
                                          r: Float(a * ab.squareRoot()))
        }
    }
}
