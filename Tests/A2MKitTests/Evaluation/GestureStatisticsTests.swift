import Testing
import Foundation
@testable import A2MEvaluation
@testable import A2MMotion
import A2MKit

/// Gesture statistics (docs/evaluation.md): the Swift implementation against docs/scripts/gesture_stats.py on
/// committed fixtures (Tests/A2MKitTests/Fixtures/gesture, made by its make_fixtures.py), normalization by the
/// shoulder height, joint roles across naming conventions, the embedded reference, and bad input.
@Suite struct GestureStatisticsTests {
    /// Continuous statistics (means, percentiles, RMS): |swift − python| ≤ this × max(1, |python|). Float32
    /// storage of a2m's rotations against numpy's float64 is the whole difference (observed: 3e-6 relative, the wrist-speed median).
    static let valueTolerance = 1e-4
    /// Fractions of frames decided by a threshold (occupancy, holds, rests): a frame or two may fall on the other
    /// side of it.
    static let fractionTolerance = 0.003
    /// Histograms: Hellinger distance between the two implementations' counts.
    static let histogramTolerance = 0.01
    /// Nods and turns per minute: one reversal more or less over the set.
    static let reversalTolerancePerMinute = 0.5

    static var fixtures: URL { MotionTestSupport.repoRoot.appendingPathComponent("Tests/A2MKitTests/Fixtures/gesture") }

    /// Every scalar statistic by name, with its kind of tolerance.
    enum Kind { case value, fraction, perMinute }
    static func scalars(_ s: GestureStatistics) -> [(name: String, value: Double?, kind: Kind)] {
        let g = s.gestureSpace, h = s.head
        var out: [(String, Double?, Kind)] = [
            ("takes", Double(s.takes), .value), ("frames", Double(s.frames), .value), ("seconds", s.seconds, .value),
            ("occupancy", g.occupancy, .fraction), ("occupancy_left", g.occupancyLeft, .fraction),
            ("occupancy_right", g.occupancyRight, .fraction), ("occupancy_both", g.occupancyBoth, .fraction),
            ("mid_torso", g.midTorso, .value), ("wrist_height.mean", g.wristHeight.mean, .value),
            ("wrist_height.p5", g.wristHeight.p5, .value), ("wrist_height.p25", g.wristHeight.p25, .value),
            ("wrist_height.p50", g.wristHeight.p50, .value), ("wrist_height.p75", g.wristHeight.p75, .value),
            ("wrist_height.p95", g.wristHeight.p95, .value),
            ("lateral.mean", s.range.lateral.mean, .value), ("lateral.p5", s.range.lateral.p5, .value),
            ("lateral.p95", s.range.lateral.p95, .value), ("lateral.range", s.range.lateral.range, .value),
            ("forward.mean", s.range.forward.mean, .value), ("forward.p5", s.range.forward.p5, .value),
            ("forward.p95", s.range.forward.p95, .value), ("forward.range", s.range.forward.range, .value),
            ("wrist_speed.mean", s.wristSpeed.mean, .value), ("wrist_speed.p50", s.wristSpeed.p50, .value),
            ("wrist_speed.p95", s.wristSpeed.p95, .value),
            ("share_above_6hz", s.spectrum.shareAbove6Hz, .value), ("segments", Double(s.spectrum.segments), .value),
            ("hold", s.stillness.hold, .fraction), ("rest", s.stillness.rest, .fraction), ("still", s.stillness.still, .fraction),
            ("nod_rms_deg", h.nodRMSDegrees, .value), ("nod_speed_deg_s", h.nodSpeedDegreesPerSecond, .value),
            ("nods_per_min", h.nodsPerMinute, .perMinute), ("turn_rms_deg", h.turnRMSDegrees, .value),
            ("turn_speed_deg_s", h.turnSpeedDegreesPerSecond, .value), ("turns_per_min", h.turnsPerMinute, .perMinute),
        ]
        if let f = s.fingers {
            out += [("fingers.takes", Double(f.takes), .value), ("tip_speed_mean", f.tipSpeedMean, .value),
                    ("tip_speed_p95", f.tipSpeedP95, .value), ("tip_distance_range", f.tipDistanceRange, .value)]
        }
        return out
    }

    /// Every difference beyond its tolerance, and the largest relative difference seen (for the failure message).
    static func differences(_ a: GestureStatistics, _ b: GestureStatistics, valueTolerance: Double = valueTolerance,
                            fractionTolerance: Double = fractionTolerance, histogramTolerance: Double = histogramTolerance)
        -> (failures: [String], largest: String) {
        var failures = [String](), largest = (0.0, "none")
        let sa = scalars(a), sb = scalars(b)
        if sa.count != sb.count { failures.append("one set has fingers and the other not (\(sa.count) vs \(sb.count) statistics)") }
        for (x, y) in zip(sa, sb) {
            guard let u = x.value, let v = y.value else {
                if (x.value == nil) != (y.value == nil) { failures.append("\(x.name): \(String(describing: x.value)) vs \(String(describing: y.value))") }
                continue
            }
            let d = abs(u - v)
            let (limit, scaled): (Double, Double) = switch x.kind {
            case .value: (valueTolerance * max(1, abs(v)), d / max(1, abs(v)))
            case .fraction: (fractionTolerance, d)
            case .perMinute: (reversalTolerancePerMinute, d)
            }
            if scaled > largest.0 || largest.1 == "none" { largest = (scaled, "\(x.name): \(u) vs \(v)") }
            if d > limit { failures.append("\(x.name): \(u) vs \(v) (difference \(d), tolerance \(limit))") }
        }
        for (name, p, q) in [("wrist_speed.histogram", a.wristSpeed.histogram, b.wristSpeed.histogram),
                             ("wrist_height_histogram", a.gestureSpace.wristHeightHistogram, b.gestureSpace.wristHeightHistogram)] {
            let h = HellingerDistance.between(p, q) ?? 1
            if h > histogramTolerance || p.reduce(0, +) != q.reduce(0, +) {
                failures.append("\(name): Hellinger \(h) (tolerance \(histogramTolerance)), counts \(p.reduce(0, +)) vs \(q.reduce(0, +))")
            }
        }
        return (failures, largest.1)
    }

    func expectMatchesPython(folder: String, expected: String) throws {
        let swift = try GestureMeasurement.statistics(files: try GestureMeasurement.bvhFiles(in: [Self.fixtures.appendingPathComponent(folder)]))
        let url = Self.fixtures.appendingPathComponent(expected)
        let python = try GestureStatistics.decode(try Data(contentsOf: url), file: url.path)
        let (failures, largest) = Self.differences(swift, python)
        #expect(failures.isEmpty, "Swift vs gesture_stats.py on \(folder): \(failures.joined(separator: "; ")); largest difference \(largest)")
        print("gesture statistics, Swift vs gesture_stats.py on \(folder): largest difference \(largest)")
    }

    @Test func swiftMatchesPythonOnA2MMotion() throws {
        try expectMatchesPython(folder: "a2m", expected: "expected_a2m.json")
    }

    /// Two rigs with fingers and other conventions: Unreal-style names with a twist joint in the arm, Z up, metres,
    /// 120 fps; mixamorig: names at 50 fps (resampled by slerp).
    @Test func swiftMatchesPythonOnSyntheticRigsWithFingers() throws {
        try expectMatchesPython(folder: "rigs", expected: "expected_rigs.json")
        let stats = try GestureMeasurement.statistics(files: try GestureMeasurement.bvhFiles(in: [Self.fixtures.appendingPathComponent("rigs")]))
        #expect(stats.fingers?.takes == 2)
        #expect(stats.sourceFPS == [50, 120])
    }

    /// The clip with every length ×10: offsets, root positions and per-frame translations.
    static func scaled(_ c: MotionClip, by k: Float) throws -> MotionClip {
        let joints = c.skeleton.joints.map { j -> Skeleton.Joint in
            var j = j
            j.offset *= k
            if let e = j.endSite { j.endSite = .init(name: e.name, offset: e.offset * k) }
            return j
        }
        return MotionClip(skeleton: try Skeleton(joints: joints), fps: c.fps, rootPositions: c.rootPositions.map { $0 * k },
                          rotations: c.rotations, translations: c.translations.mapValues { $0.map { $0 * k } })
    }

    @Test func scalingASkeletonTenfoldChangesNoStatistic() throws {
        let files = try GestureMeasurement.bvhFiles(in: ["rigs", "a2m"].map { Self.fixtures.appendingPathComponent($0) })
        let clips = try files.map { try BVHReader.read($0).clip }
        let original = GestureMeasurement.statistics(try zip(clips, files).map { try GestureTake(clip: $0, file: $1.path) })
        let big = GestureMeasurement.statistics(try zip(clips, files).map { try GestureTake(clip: try Self.scaled($0, by: 10), file: $1.path) })
        #expect(big.gestureSpace.wristHeight.mean != 0)
        // Only Float rounding of the ×10 lengths separates the two.
        let (failures, largest) = Self.differences(big, original, valueTolerance: 1e-5, fractionTolerance: 1e-3, histogramTolerance: 1e-3)
        #expect(failures.isEmpty, "×10: \(failures.joined(separator: "; ")); largest difference \(largest)")
    }

    @Test func embeddedReferenceEqualsTheCommittedJSON() throws {
        let url = MotionTestSupport.repoRoot.appendingPathComponent("docs/reference/real_gesture_stats.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        // The raw string literal holds the file without its final newline.
        #expect(GestureReference.embeddedJSON + "\n" == text,
                "GestureReference.swift's copy differs from docs/reference/real_gesture_stats.json: run gesture_stats.py --embed (docs/evaluation.md)")
        #expect(GestureReference.embedded == (try GestureStatistics.decode(Data(text.utf8), file: url.path)))
        #expect(GestureReference.embedded.gestureSpace.occupancy > 0.5)
    }

    /// A Skeleton from (name, parent) pairs, every bone 10 units along its parent's direction (arms sideways).
    static func skeleton(_ joints: [(String, Int?)]) throws -> Skeleton {
        try Skeleton(joints: joints.enumerated().map { i, j in
            let lower = j.0.lowercased()
            let side: Float = lower.contains("left") || lower.contains("_l") || lower.hasPrefix("l") ? 1 : -1
            let sideways = ["arm", "shoulder", "elbow", "wrist", "hand", "collar", "clavicle", "finger", "thumb", "index"].contains { lower.contains($0) }
            return Skeleton.Joint(name: j.0, parent: j.1, offset: sideways ? SIMD3(side * 10, 0, 0) : SIMD3(0, 10, 0), hasPosition: i == 0)
        })
    }

    @Test func rolesAcrossNamingConventions() throws {
        #expect(GestureRoles.words("mixamorig:LeftHandThumb1") == ["left", "hand", "thumb", "1"])
        #expect(GestureRoles.words("b_l_wrist") == ["b", "l", "wrist"])
        #expect(GestureRoles.words("lefthand") == ["left", "hand"])
        #expect(GestureRoles.words("LHand") == ["l", "hand"])
        #expect(GestureRoles.words("Bip01 R Hand") == ["bip", "01", "r", "hand"])
        // SeG: LeftShoulder is the upper arm, LeftCollar the clavicle; the roles come from the chain, not the word.
        let seg = try Self.skeleton([("Hips", nil), ("Chest", 0), ("Chest2", 1), ("Neck", 2), ("Head", 3),
                                     ("LeftCollar", 2), ("LeftShoulder", 5), ("LeftElbow", 6), ("LeftWrist", 7),
                                     ("RightCollar", 2), ("RightShoulder", 9), ("RightElbow", 10), ("RightWrist", 11)])
        let r = try GestureRoles(skeleton: seg, file: "seg.bvh")
        #expect(r.wrists == [8, 12] && r.elbows == [7, 11] && r.shoulders == [6, 10] && r.chest == 2 && r.head == 4 && r.hips == 0)
        #expect(r.fingertips == [[], []])
        // GENEA 2022/2023 (Talking With Hands): b_ prefixes, sides as _l_ / _r_, a marker joint under the hand.
        let genea = try Self.skeleton([("body_world", nil), ("b_root", 0), ("b_spine0", 1), ("b_spine3", 2), ("b_neck0", 3), ("b_head", 4),
                                       ("b_l_shoulder", 3), ("b_l_arm", 6), ("b_l_forearm", 7), ("b_l_wrist", 8),
                                       ("b_r_shoulder", 3), ("b_r_arm", 10), ("b_r_forearm", 11), ("b_r_wrist", 12)])
        let g = try GestureRoles(skeleton: genea, file: "genea.bvh")
        #expect(g.wrists == [9, 13] && g.shoulders == [7, 11] && g.chest == 3 && g.head == 5 && g.hips == 1)
        // ZeroEGGS: HeadEnd is not the head; a marker child of the hand (LeftForeArmEnd) is no fingertip.
        var zeggs: [(String, Int?)] = [("Hips", nil), ("Spine", 0), ("Neck", 1), ("Head", 2), ("HeadEnd", 3),
                                       ("LeftShoulder", 1), ("LeftArm", 5), ("LeftForeArm", 6), ("LeftHand", 7), ("LeftForeArmEnd", 8)]
        for (k, f) in ["Thumb", "Index", "Middle", "Ring", "Pinky"].enumerated() {
            zeggs += [("LeftHand\(f)1", 8), ("LeftHand\(f)2", 10 + 2 * k)]
        }
        zeggs += [("RightShoulder", 1), ("RightArm", 20), ("RightForeArm", 21), ("RightHand", 22)]
        let z = try GestureRoles(skeleton: try Self.skeleton(zeggs), file: "zeggs.bvh")
        #expect(z.head == 3 && z.wrists == [8, 23])
        #expect(z.fingertips[0] == [11, 13, 15, 17, 19] && z.fingertips[1].isEmpty)
    }

    @Test func badInputNamesTheFileAndWhatIsMissing() throws {
        let empty = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: empty) }
        try Data("not motion".utf8).write(to: empty.appendingPathComponent("notes.txt"))
        #expect(throws: GestureStatisticsError.noBVH(directory: empty.path)) { try GestureMeasurement.bvhFiles(in: [empty]) }
        #expect(GestureStatisticsError.noBVH(directory: empty.path).description == "\(empty.path): no .bvh files in this folder")

        let noWrists = Self.fixtures.appendingPathComponent("bad/no_wrists.bvh")
        do {
            _ = try GestureTake(contentsOf: noWrists)
            Issue.record("a rig without hands was measured")
        } catch let e as GestureStatisticsError {
            #expect(e.description.hasPrefix(noWrists.path + ": no left wrist"), "\(e)")
        }
        // Wrists straight under the hips: no elbow and shoulder above them.
        let noShoulders = try Self.skeleton([("Hips", nil), ("Spine", 0), ("Head", 1), ("LeftHand", 0), ("RightHand", 0)])
        #expect(throws: GestureStatisticsError.missingRole(file: "x.bvh", role: "left shoulder",
                                                           expected: "an elbow and a shoulder joint above the left wrist 'LeftHand'")) {
            try GestureRoles(skeleton: noShoulders, file: "x.bvh")
        }
        let noHead = try Self.skeleton([("Hips", nil), ("Spine", 0), ("LeftArm", 1), ("LeftForeArm", 2), ("LeftHand", 3),
                                        ("RightArm", 1), ("RightForeArm", 5), ("RightHand", 6)])
        #expect(throws: GestureStatisticsError.missingRole(file: "y.bvh", role: "head", expected: "a joint named Head (or head, mixamorig:Head)")) {
            try GestureRoles(skeleton: noHead, file: "y.bvh")
        }
        let notStats = empty.appendingPathComponent("other.json")
        try Data(#"{"format": "a2m-eval", "version": 1}"#.utf8).write(to: notStats)
        #expect(throws: GestureStatisticsError.badStatisticsFile(file: notStats.path, reason: "format is 'a2m-eval', expected 'a2m-gesture-stats'")) {
            try GestureReference.load(notStats.path)
        }
    }

    @Test func hellingerDistanceAsInGENEA() {
        #expect(HellingerDistance.between([1, 2, 3], [2, 4, 6]) == 0)
        #expect(HellingerDistance.between([1, 0], [0, 5]) == 1)
        // p = (1/2, 1/2), q = (1, 0): √(1 − √(1/2)).
        #expect(abs(HellingerDistance.between([3, 3], [7, 0])! - (1 - 0.5.squareRoot()).squareRoot()) < 1e-15)
        #expect(HellingerDistance.between([1], [1, 2]) == nil)
        #expect(HellingerDistance.between([0, 0], [1, 2]) == nil)
    }

    @Test func spectralShareSeesWhereThePowerIs() {
        func share(_ hz: Double) -> Double? {
            var s = SpeedSpectrum(rate: 30)
            s.add((0..<300).map { 1 + 0.5 * sin(2 * .pi * hz * Double($0) / 30) })
            return s.share(above: 6)
        }
        #expect(share(10)! > 0.99)
        #expect(share(1)! < 0.01)
        var short = SpeedSpectrum(rate: 30)
        short.add([Double](repeating: 1, count: 63))
        #expect(short.segments == 0 && short.share(above: 6) == nil)
    }

    @Test func reversalsCountSwingsOfAtLeastTheThreshold() {
        #expect(GestureMeasurement.reversals([0, 5, 0, 5, 0, 5], threshold: 3) == 4)
        #expect(GestureMeasurement.reversals([0, 1, 2, 1, 0], threshold: 3) == 0)
        #expect(GestureMeasurement.keepingRuns([true, true, false, true, true, true], atLeast: 3) == [false, false, false, true, true, true])
    }
}
