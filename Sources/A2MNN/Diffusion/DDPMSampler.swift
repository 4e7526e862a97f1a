/// Ho et al. 2020 ancestral sampling on the respaced chain (improved-diffusion `SpacedDiffusion`): with
/// β' = 1 − ᾱ/ᾱ', x_{t'} ~ q(x_{t'} | x_t, x̂0), mean √ᾱ'β'/(1−ᾱ)·x̂0 + √(1−β')(1−ᾱ')/(1−ᾱ)·x_t, variance
/// β'(1−ᾱ')/(1−ᾱ), no noise on the last step. Equals DDIM with η = 1 (tested).
public final class DDPMSampler: LinearStepSampler {
    public let schedule: DiffusionSchedule
    public let timesteps: [Int]
    public let coefficients: [LinearStepCoefficients]

    public init(schedule: DiffusionSchedule, timesteps: [Int]) {
        self.schedule = schedule
        self.timesteps = timesteps
        coefficients = Self.coefficients(schedule: schedule, timesteps: timesteps)
    }

    static func coefficients(schedule: DiffusionSchedule, timesteps: [Int]) -> [LinearStepCoefficients] {
        timesteps.indices.map { i in
            let ab = schedule.alphasCumprod64[timesteps[i]]
            let abPrev = i + 1 < timesteps.count ? schedule.alphasCumprod64[timesteps[i + 1]] : 1.0
            let beta = 1 - ab / abPrev
            let c1 = abPrev.squareRoot() * beta / (1 - ab)
            let c2 = (1 - beta).squareRoot() * (1 - abPrev) / (1 - ab)
            let variance = beta * (1 - abPrev) / (1 - ab)
            return LinearStepCoefficients(a: Float(c2), b: Float(c1), s: Float(variance.squareRoot()), r: Float(c2 * ab.squareRoot()))
        }
    }
}
