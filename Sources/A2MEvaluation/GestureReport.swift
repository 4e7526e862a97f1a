import A2MCore
import A2MMotion
import Foundation

/// The gesture statistics part of an `EvaluationReport`: generated and ground-truth motion measured alike,
/// the reference they are compared with, and each one's distances to it (docs/evaluation.md).
public struct GestureReport: Codable, Sendable, Equatable {
    /// What the reference is: `GestureReference.embeddedName` or the --reference path.
    public let referenceName: String
    public let reference: GestureStatistics
    /// Every generated sample of every clip pooled.
    public let generated: GestureStatistics
    public let groundTruth: GestureStatistics
    public let generatedDistances: GestureDistances
    public let groundTruthDistances: GestureDistances

    public init(generated: [GestureTake], groundTruth: [GestureTake], reference: GestureStatistics, referenceName: String) {
        self.referenceName = referenceName
        self.reference = reference
        self.generated = GestureMeasurement.statistics(generated)
        self.groundTruth = GestureMeasurement.statistics(groundTruth)
        generatedDistances = GestureDistances(self.generated, reference: reference)
        groundTruthDistances = GestureDistances(self.groundTruth, reference: reference)
    }
}
