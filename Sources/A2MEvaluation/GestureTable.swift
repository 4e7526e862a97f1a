import A2MCore
import A2MMotion
import Foundation

/// Markdown tables of `GestureStatistics` side by side and of `GestureDistances` against issue 35's bounds:
/// the rows and number formats of gesture_stats.py's table, so the two print alike.
public enum GestureTable {
    typealias Row = (label: String, values: @Sendable (GestureStatistics) -> [Double?], format: String)

    static let rows: [Row] = [
        ("takes", { [Double($0.takes)] }, "%.0f"),
        ("seconds", { [$0.seconds] }, "%.1f"),
        ("gesture-space occupancy (either wrist >= mid-torso)", { [$0.gestureSpace.occupancy] }, "%.3f"),
        ("  both wrists >= mid-torso", { [$0.gestureSpace.occupancyBoth] }, "%.3f"),
        ("mid-torso height (S)", { [$0.gestureSpace.midTorso] }, "%.3f"),
        ("wrist height mean (S)", { [$0.gestureSpace.wristHeight.mean] }, "%.3f"),
        ("wrist height p5 / p50 / p95 (S)", { [$0.gestureSpace.wristHeight.p5, $0.gestureSpace.wristHeight.p50, $0.gestureSpace.wristHeight.p95] }, "%.2f"),
        ("lateral range p95 - p5 (S)", { [$0.range.lateral.range] }, "%.3f"),
        ("lateral mean, outward (S)", { [$0.range.lateral.mean] }, "%.3f"),
        ("forward range p95 - p5 (S)", { [$0.range.forward.range] }, "%.3f"),
        ("forward mean (S)", { [$0.range.forward.mean] }, "%.3f"),
        ("wrist speed mean (S/s)", { [$0.wristSpeed.mean] }, "%.3f"),
        ("wrist speed p50 / p95 (S/s)", { [$0.wristSpeed.p50, $0.wristSpeed.p95] }, "%.3f"),
        ("wrist-speed power above 6 Hz", { [$0.spectrum.shareAbove6Hz] }, "%.4f"),
        ("hold fraction (still, in gesture space)", { [$0.stillness.hold] }, "%.3f"),
        ("rest fraction (still, below mid-torso)", { [$0.stillness.rest] }, "%.3f"),
        ("head nod RMS (deg)", { [$0.head.nodRMSDegrees] }, "%.2f"),
        ("head nod speed (deg/s)", { [$0.head.nodSpeedDegreesPerSecond] }, "%.2f"),
        ("head nods per minute", { [$0.head.nodsPerMinute] }, "%.1f"),
        ("head turn RMS (deg)", { [$0.head.turnRMSDegrees] }, "%.2f"),
        ("head turn speed (deg/s)", { [$0.head.turnSpeedDegreesPerSecond] }, "%.2f"),
        ("head turns per minute", { [$0.head.turnsPerMinute] }, "%.1f"),
        ("fingertip speed in the hand (S/s)", { [$0.fingers?.tipSpeedMean] }, "%.3f"),
        ("fingertip distance range (S)", { [$0.fingers?.tipDistanceRange] }, "%.3f"),
    ]

    /// One row per statistic, one column per (title, statistics).
    public static func statistics(_ columns: [(title: String, stats: GestureStatistics)]) -> String {
        var lines = ["| statistic | " + columns.map(\.title).joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---:|", count: columns.count)]
        for row in rows {
            let cells = columns.map { c in
                row.values(c.stats).map { $0.map { String(format: row.format, $0) } ?? "–" }.joined(separator: " / ")
            }
            lines.append("| \(row.label) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// One row per bound of issue 35, one column per (title, distances), each cell the value and whether it is within.
    public static func distances(_ columns: [(title: String, distances: GestureDistances)]) -> String {
        guard let first = columns.first else { return "" }
        var lines = ["| distance to the reference | bound | " + columns.map(\.title).joined(separator: " | ") + " |",
                     "|---|---|" + String(repeating: "---:|", count: columns.count)]
        for (i, check) in first.distances.checks.enumerated() {
            let cells = columns.map { c -> String in
                let k = c.distances.checks[i]
                guard let v = k.value else { return "–" }
                return String(format: "%.4f", v) + (k.within == true ? " ✓" : " ✗")
            }
            lines.append("| \(check.name) | \(check.bound) | " + cells.joined(separator: " | ") + " |")
        }
        let heights = columns.map { $0.distances.wristHeightHellinger.map { String(format: "%.4f", $0) } ?? "–" }
        lines.append("| wrist_height_hellinger | (no bound) | " + heights.joined(separator: " | ") + " |")
        return lines.joined(separator: "\n")
    }
}
