import A2MCore
import A2MMotion
import Foundation

/// Skeleton-independent gesture statistics of a set of takes (docs/evaluation.md, "Gesture statistics"): the
/// JSON that docs/scripts/gesture_stats.py writes, field for field, so either side reads the other's files.
/// Lengths are in S (the rig's rest shoulder height above the hips), speeds in S/s, angles in degrees, all at
/// 30 fps. `GestureStatistics.measure(_:)` computes them; `GestureDistances` compares two sets.
public struct GestureStatistics: Codable, Sendable, Equatable {
    public static let format = "a2m-gesture-stats"
    public static let version = 1

    public struct Distribution: Codable, Sendable, Equatable {
        public var mean: Double
        public var p5: Double, p25: Double, p50: Double, p75: Double, p95: Double
    }

    public struct GestureSpace: Codable, Sendable, Equatable {
        /// Fraction of frames with either wrist at or above mid-torso (halfway from the hips to the shoulders).
        public var occupancy: Double
        public var occupancyLeft: Double
        public var occupancyRight: Double
        public var occupancyBoth: Double
        /// Mean mid-torso height above the hips, S (0.5 for an upright torso).
        public var midTorso: Double
        /// Both wrists' height above the hips, S.
        public var wristHeight: Distribution
        /// Counts of wrist heights: below −1.5 S, then `heightBinCount` bins of `heightBinWidth` S, then ≥ 1.5 S.
        public var wristHeightHistogram: [Int]

        enum CodingKeys: String, CodingKey {
            case occupancy, occupancyLeft = "occupancy_left", occupancyRight = "occupancy_right", occupancyBoth = "occupancy_both"
            case midTorso = "mid_torso", wristHeight = "wrist_height", wristHeightHistogram = "wrist_height_histogram"
        }
    }

    public struct Spread: Codable, Sendable, Equatable {
        public var mean: Double
        public var p5: Double, p95: Double
        /// p95 − p5.
        public var range: Double
    }

    public struct Range: Codable, Sendable, Equatable {
        /// Wrist distance from the hips along the body's left–right axis, outward positive (both wrists pooled), S.
        public var lateral: Spread
        /// Wrist distance in front of the hips along the body's facing direction, S.
        public var forward: Spread
    }

    public struct WristSpeed: Codable, Sendable, Equatable {
        public var mean: Double
        public var p50: Double, p95: Double
        /// Counts of wrist speeds relative to the hips: `speedBinCount` bins of `speedBinWidth` S/s from 0, then ≥ 4 S/s.
        public var histogram: [Int]
    }

    public struct Spectrum: Codable, Sendable, Equatable {
        /// Share of the wrist-speed power (Welch, `SpeedSpectrum`) in bins above 6 Hz; nil when no take has a segment.
        public var shareAbove6Hz: Double?
        public var segments: Int

        enum CodingKeys: String, CodingKey { case shareAbove6Hz = "share_above_6hz", segments }
    }

    public struct Stillness: Codable, Sendable, Equatable {
        /// Fractions of frames with both wrists still (`GestureMeasurement.stillSpeed`, held ≥ 0.3 s): with a
        /// wrist at or above mid-torso (a hold), with both below (a rest), and either.
        public var hold: Double
        public var rest: Double
        public var still: Double
    }

    public struct Head: Codable, Sendable, Equatable {
        /// RMS of the pitch about each take's mean, mean |d pitch / dt|, and nods (two reversals of ≥ 3°) per minute.
        public var nodRMSDegrees: Double
        public var nodSpeedDegreesPerSecond: Double
        public var nodsPerMinute: Double
        public var turnRMSDegrees: Double
        public var turnSpeedDegreesPerSecond: Double
        public var turnsPerMinute: Double

        enum CodingKeys: String, CodingKey {
            case nodRMSDegrees = "nod_rms_deg", nodSpeedDegreesPerSecond = "nod_speed_deg_s", nodsPerMinute = "nods_per_min"
            case turnRMSDegrees = "turn_rms_deg", turnSpeedDegreesPerSecond = "turn_speed_deg_s", turnsPerMinute = "turns_per_min"
        }
    }

    public struct Fingers: Codable, Sendable, Equatable {
        /// Takes whose rig has fingers (the others are left out of these numbers).
        public var takes: Int
        /// Fingertip speed in the wrist's frame, S/s: mean and 95th percentile.
        public var tipSpeedMean: Double
        public var tipSpeedP95: Double
        /// Mean over fingertips of the p95 − p5 spread of their distance from the wrist, S.
        public var tipDistanceRange: Double

        enum CodingKeys: String, CodingKey {
            case takes, tipSpeedMean = "tip_speed_mean", tipSpeedP95 = "tip_speed_p95", tipDistanceRange = "tip_distance_range"
        }
    }

    public var format = GestureStatistics.format
    public var version = GestureStatistics.version
    public var takes: Int
    /// Frames at 30 fps, and their length in seconds (Σ (frames − 1) / 30).
    public var frames: Int
    public var seconds: Double
    /// The distinct frame rates of the sources, rounded to 0.001.
    public var sourceFPS: [Double]
    public var gestureSpace: GestureSpace
    public var range: Range
    public var wristSpeed: WristSpeed
    public var spectrum: Spectrum
    public var stillness: Stillness
    public var head: Head
    /// nil when no take's rig has fingers.
    public var fingers: Fingers?

    enum CodingKeys: String, CodingKey {
        case format, version, takes, frames, seconds, sourceFPS = "source_fps", gestureSpace = "gesture_space", range
        case wristSpeed = "wrist_speed", spectrum, stillness, head, fingers
    }

    /// Decodes a statistics JSON (this type's, or gesture_stats.py's --out), checking its format and version.
    public static func decode(_ data: Data, file: String) throws -> GestureStatistics {
        struct Header: Decodable { var format: String?; var version: Int? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw GestureStatisticsError.badStatisticsFile(file: file, reason: "not a JSON object")
        }
        guard header.format == format else {
            throw GestureStatisticsError.badStatisticsFile(file: file, reason: "format is \(header.format.map { "'\($0)'" } ?? "missing"), expected '\(format)'")
        }
        guard header.version == version else {
            throw GestureStatisticsError.badStatisticsFile(file: file, reason: "version \(header.version.map(String.init) ?? "missing"), expected \(version)")
        }
        do {
            return try JSONDecoder().decode(GestureStatistics.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw GestureStatisticsError.badStatisticsFile(file: file, reason: "field \((ctx.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing")
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx), let DecodingError.dataCorrupted(ctx) {
            throw GestureStatisticsError.badStatisticsFile(file: file, reason: "field \(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)")
        }
    }

    /// Pretty-printed JSON with sorted keys, as gesture_stats.py writes it (modulo number spelling).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
