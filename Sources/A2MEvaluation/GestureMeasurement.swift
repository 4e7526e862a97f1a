import A2MCore
import A2MMotion
import Foundation

/// Pools `GestureTake`s into `GestureStatistics` with the thresholds of docs/evaluation.md ("Gesture
/// statistics"); the same numbers as docs/scripts/gesture_stats.py, whose `set_statistics` this mirrors.
public enum GestureMeasurement {
    /// Wrist-speed histogram: `speedBinCount` bins of `speedBinWidth` S/s from 0, then one overflow bin.
    public static let speedBinWidth = 0.05
    public static let speedBinCount = 80
    /// Wrist-height histogram: one underflow bin, `heightBinCount` bins of `heightBinWidth` S from
    /// `heightMinimum`, one overflow bin.
    public static let heightBinWidth = 0.1
    public static let heightMinimum = -1.5
    public static let heightBinCount = 30
    /// The spectral share counts bins above this frequency.
    public static let highHz = 6.0
    /// A wrist is still when its speed, averaged over a centred `stillWindow`-frame window, is below
    /// `stillSpeed` S/s (about 5 cm/s on an adult); both wrists still for `stillMinimumFrames` frames (0.3 s)
    /// or more make a hold (a wrist at or above mid-torso) or a rest (both below).
    public static let stillSpeed = 0.1
    public static let stillWindow = 5
    public static let stillMinimumFrames = 9
    /// A nod or turn is a swing of the head's pitch or yaw of at least this many degrees each way.
    public static let swingDegrees = 3.0

    /// Every *.bvh directly inside each of `directories`, sorted by name within each.
    public static func bvhFiles(in directories: [URL]) throws -> [URL] {
        var files = [URL]()
        for d in directories {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: d.path, isDirectory: &isDir), isDir.boolValue else {
                throw GestureStatisticsError.notADirectory(d.path)
            }
            let found = try FileManager.default.contentsOfDirectory(atPath: d.path).filter { $0.lowercased().hasSuffix(".bvh") }.sorted()
            guard !found.isEmpty else { throw GestureStatisticsError.noBVH(directory: d.path) }
            files += found.map { d.appendingPathComponent($0) }
        }
        return files
    }

    /// The statistics of BVH `files`, read and measured in parallel; `progress` gets the number done.
    public static func statistics(files: [URL], progress: (Int) -> Void = { _ in }) throws -> GestureStatistics {
        guard !files.isEmpty else { throw GestureStatisticsError.noBVH(directory: "(no files given)") }
        return statistics(try orderedParallelMap(files.count, progress: progress) { try GestureTake(contentsOf: files[$0]) })
    }

    /// The statistics of `takes` (at least one).
    public static func statistics(_ takes: [GestureTake]) -> GestureStatistics {
        precondition(!takes.isEmpty, "gesture statistics need at least one take")
        let rate = GestureTake.rate
        let frames = takes.reduce(0) { $0 + $1.frames }
        let minutes = takes.reduce(0.0) { $0 + Double($1.frames - 1) / rate } / 60

        var inLeft = 0, inRight = 0, inEither = 0, inBoth = 0
        var midTorso = 0.0
        for t in takes {
            for f in 0..<t.frames {
                let l = t.height[0][f] >= t.midTorso[f], r = t.height[1][f] >= t.midTorso[f]
                inLeft += l ? 1 : 0
                inRight += r ? 1 : 0
                inEither += l || r ? 1 : 0
                inBoth += l && r ? 1 : 0
                midTorso += t.midTorso[f]
            }
        }
        let heights = takes.flatMap { $0.height[0] + $0.height[1] }
        let lateral = takes.flatMap { $0.lateral[0] + $0.lateral[1] }
        let forward = takes.flatMap { $0.forward[0] + $0.forward[1] }
        let speeds = takes.flatMap { $0.speed[0] + $0.speed[1] }

        var spectrum = SpeedSpectrum(rate: rate)
        for t in takes { for side in 0..<2 { spectrum.add(t.speed[side]) } }

        var hold = 0, rest = 0, counted = 0
        for t in takes {
            let l = movingMean(t.speed[0], window: stillWindow), r = movingMean(t.speed[1], window: stillWindow)
            let still = keepingRuns(zip(l, r).map { $0 < stillSpeed && $1 < stillSpeed }, atLeast: stillMinimumFrames)
            for (k, s) in still.enumerated() where s {
                // Speed k lies between frames k and k + 1; the frame it ends at says where the wrists are.
                let up = t.height[0][k + 1] >= t.midTorso[k + 1] || t.height[1][k + 1] >= t.midTorso[k + 1]
                if up { hold += 1 } else { rest += 1 }
            }
            counted += still.count
        }

        func head(_ angle: KeyPath<GestureTake, [Double]>) -> (rms: Double, speed: Double, perMinute: Double) {
            var squares = 0.0, count = 0, speed = 0.0, steps = 0, reversals = 0
            for t in takes {
                let a = t[keyPath: angle]
                let mean = a.reduce(0, +) / Double(a.count)
                for x in a { squares += (x - mean) * (x - mean) }
                count += a.count
                for k in 1..<a.count { speed += abs(a[k] - a[k - 1]) * rate }
                steps += a.count - 1
                reversals += Self.reversals(a, threshold: swingDegrees)
            }
            return ((squares / Double(count)).squareRoot(), speed / Double(steps), Double(reversals) / 2 / minutes)
        }
        let nod = head(\.pitch), turn = head(\.yaw)

        var fingers: GestureStatistics.Fingers?
        let fingerTakes = takes.filter { !$0.fingertips.isEmpty }
        if !fingerTakes.isEmpty {
            var tipSpeeds = [Double](), ranges = [Double]()
            for t in fingerTakes {
                for hand in t.fingertips {
                    let tips = hand[0].count
                    for f in 1..<hand.count {
                        for i in 0..<tips { tipSpeeds.append((hand[f][i] - hand[f - 1][i]).length * rate) }
                    }
                    for i in 0..<tips {
                        let d = hand.map { $0[i].length }.sorted()
                        ranges.append(Bootstrap.quantile(d, 0.95) - Bootstrap.quantile(d, 0.05))
                    }
                }
            }
            let sortedSpeeds = tipSpeeds.sorted()
            fingers = .init(takes: fingerTakes.count, tipSpeedMean: mean(tipSpeeds), tipSpeedP95: Bootstrap.quantile(sortedSpeeds, 0.95),
                            tipDistanceRange: mean(ranges))
        }

        let n = Double(frames)
        let sortedHeights = heights.sorted(), sortedSpeeds = speeds.sorted()
        let q = { (sorted: [Double], p: Double) in Bootstrap.quantile(sorted, p / 100) }
        return GestureStatistics(
            takes: takes.count, frames: frames, seconds: minutes * 60,
            sourceFPS: Array(Set(takes.map { ($0.sourceFPS * 1000).rounded() / 1000 })).sorted(),
            gestureSpace: .init(occupancy: Double(inEither) / n, occupancyLeft: Double(inLeft) / n, occupancyRight: Double(inRight) / n,
                                occupancyBoth: Double(inBoth) / n, midTorso: midTorso / n,
                                wristHeight: .init(mean: mean(heights), p5: q(sortedHeights, 5), p25: q(sortedHeights, 25), p50: q(sortedHeights, 50),
                                                   p75: q(sortedHeights, 75), p95: q(sortedHeights, 95)),
                                wristHeightHistogram: histogram(heights, from: heightMinimum, width: heightBinWidth, bins: heightBinCount, underflow: true)),
            range: .init(lateral: spread(lateral), forward: spread(forward)),
            wristSpeed: .init(mean: mean(speeds), p50: q(sortedSpeeds, 50), p95: q(sortedSpeeds, 95),
                              histogram: histogram(speeds, from: 0, width: speedBinWidth, bins: speedBinCount, underflow: false)),
            spectrum: .init(shareAbove6Hz: spectrum.share(above: highHz), segments: spectrum.segments),
            stillness: .init(hold: Double(hold) / Double(counted), rest: Double(rest) / Double(counted), still: Double(hold + rest) / Double(counted)),
            head: .init(nodRMSDegrees: nod.rms, nodSpeedDegreesPerSecond: nod.speed, nodsPerMinute: nod.perMinute,
                        turnRMSDegrees: turn.rms, turnSpeedDegreesPerSecond: turn.speed, turnsPerMinute: turn.perMinute),
            fingers: fingers)
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    static func spread(_ x: [Double]) -> GestureStatistics.Spread {
        let s = x.sorted()
        let p5 = Bootstrap.quantile(s, 0.05), p95 = Bootstrap.quantile(s, 0.95)
        return .init(mean: mean(x), p5: p5, p95: p95, range: p95 - p5)
    }

    /// Counts per bin ⌊(x − from) / width⌋, values beyond the ends in the end bins (and, with `underflow`, a
    /// first bin for values below `from`).
    static func histogram(_ x: [Double], from lo: Double, width: Double, bins: Int, underflow: Bool) -> [Int] {
        var counts = [Int](repeating: 0, count: bins + (underflow ? 2 : 1))
        for v in x {
            let i = Int(((v - lo) / width).rounded(.down))
            counts[underflow ? min(max(i + 1, 0), bins + 1) : min(max(i, 0), bins)] += 1
        }
        return counts
    }

    /// Centred moving mean over `window` values, the window shrunk at the ends.
    static func movingMean(_ x: [Double], window: Int) -> [Double] {
        let h = window / 2
        return x.indices.map { i in
            let a = max(0, i - h), b = min(x.count, i + h + 1)
            return x[a..<b].reduce(0, +) / Double(b - a)
        }
    }

    /// `mask` with runs of `true` shorter than `n` cleared.
    static func keepingRuns(_ mask: [Bool], atLeast n: Int) -> [Bool] {
        var out = [Bool](repeating: false, count: mask.count)
        var i = 0
        while i < mask.count {
            guard mask[i] else { i += 1; continue }
            var j = i
            while j < mask.count && mask[j] { j += 1 }
            if j - i >= n { for k in i..<j { out[k] = true } }
            i = j
        }
        return out
    }

    /// How many times `angle` turns back after moving at least `threshold` one way (a nod, down and up
    /// again, is two).
    static func reversals(_ angle: [Double], threshold: Double) -> Int {
        guard var hi = angle.first else { return 0 }
        var lo = hi, ext = hi, direction = 0, count = 0
        for a in angle.dropFirst() {
            switch direction {
            case 0:
                hi = max(hi, a)
                lo = min(lo, a)
                if hi - a >= threshold { direction = -1; ext = a } else if a - lo >= threshold { direction = 1; ext = a }
            case 1:
                if a > ext { ext = a } else if ext - a >= threshold { count += 1; direction = -1; ext = a }
            default:
                if a < ext { ext = a } else if a - ext >= threshold { count += 1; direction = 1; ext = a }
            }
        }
        return count
    }
}
