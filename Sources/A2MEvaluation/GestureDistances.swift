import A2MCore
import A2MMotion
import Foundation

/// How far one set's `GestureStatistics` lie from a reference's, with the bounds issue 35 sets for corpus v2
/// against real co-speech motion capture (docs/evaluation.md, "Distances"). gesture_stats.py --compare prints
/// the same numbers.
public struct GestureDistances: Codable, Sendable, Equatable {
    /// Hellinger distance between the wrist-speed histograms (bound ≤ 0.10).
    public var wristSpeedHellinger: Double?
    /// Hellinger distance between the wrist-height histograms (no bound: a diagnostic).
    public var wristHeightHellinger: Double?
    /// Occupancy minus the reference's (bound ±0.15).
    public var occupancyDifference: Double
    /// Share of wrist-speed power above 6 Hz over the reference's (bound ≤ 1.2); nil without a spectrum.
    public var shareAbove6HzRatio: Double?
    /// Hold and rest fractions minus the reference's (bound ±0.1 each).
    public var holdDifference: Double
    public var restDifference: Double

    enum CodingKeys: String, CodingKey {
        case wristSpeedHellinger = "wrist_speed_hellinger", wristHeightHellinger = "wrist_height_hellinger"
        case occupancyDifference = "occupancy_difference", shareAbove6HzRatio = "share_above_6hz_ratio"
        case holdDifference = "hold_difference", restDifference = "rest_difference"
    }

    public init(_ s: GestureStatistics, reference r: GestureStatistics) {
        wristSpeedHellinger = HellingerDistance.between(s.wristSpeed.histogram, r.wristSpeed.histogram)
        wristHeightHellinger = HellingerDistance.between(s.gestureSpace.wristHeightHistogram, r.gestureSpace.wristHeightHistogram)
        occupancyDifference = s.gestureSpace.occupancy - r.gestureSpace.occupancy
        if let a = s.spectrum.shareAbove6Hz, let b = r.spectrum.shareAbove6Hz, b > 0 { shareAbove6HzRatio = a / b }
        holdDifference = s.stillness.hold - r.stillness.hold
        restDifference = s.stillness.rest - r.stillness.rest
    }

    /// One bound of issue 35: the distance, what it must satisfy, and whether it does (nil: not measurable).
    public struct Check: Sendable, Equatable {
        public let name: String
        public let value: Double?
        public let bound: String
        public let within: Bool?
    }

    public static let occupancyBound = 0.15
    public static let wristSpeedHellingerBound = 0.10
    public static let shareRatioBound = 1.2
    public static let stillnessBound = 0.1

    public var checks: [Check] {
        func check(_ name: String, _ v: Double?, _ bound: String, _ ok: (Double) -> Bool) -> Check {
            Check(name: name, value: v, bound: bound, within: v.map(ok))
        }
        return [
            check("occupancy_difference", occupancyDifference, "within ±\(Self.occupancyBound)") { abs($0) <= Self.occupancyBound },
            check("wrist_speed_hellinger", wristSpeedHellinger, "≤ \(Self.wristSpeedHellingerBound)") { $0 <= Self.wristSpeedHellingerBound },
            check("share_above_6hz_ratio", shareAbove6HzRatio, "≤ \(Self.shareRatioBound)") { $0 <= Self.shareRatioBound },
            check("hold_difference", holdDifference, "within ±\(Self.stillnessBound)") { abs($0) <= Self.stillnessBound },
            check("rest_difference", restDifference, "within ±\(Self.stillnessBound)") { abs($0) <= Self.stillnessBound },
        ]
    }
}
