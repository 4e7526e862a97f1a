import Foundation

/// Linear warm-up from 0 to `peak` over `warmupSteps`, then cosine decay to `floor` at `totalSteps`
/// (constant `floor` after). Computed in Double.
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    public var peak: Double
    package var floor: Double
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Double, floor: Double = 0, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak; self.floor = floor; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// Learning rate for 1-based optimizer step `step`.
    public func rate(step: Int) -> Double {
        if step <= warmupSteps && warmupSteps > 0 { return peak * Double(step) / Double(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        return floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * progress))
    }
}
