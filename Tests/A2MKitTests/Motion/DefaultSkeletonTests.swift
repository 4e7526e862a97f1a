import Testing
import Foundation
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MCorpus
@testable import A2MEvaluation
@testable import A2MGeneration

/// The default skeleton with fingers (`Skeleton.a2mDefault`), the 22-joint body skeleton it replaced
/// (`Skeleton.a2mBody`), and the files in Motions/ that hold them.
/// To rewrite Motions/default_skeleton.bvh after a deliberate change to the table:
/// `A2M_REGENERATE_MOTIONS=1 swift test --filter DefaultSkeletonTests`.
@Suite struct DefaultSkeletonTests {
    /// World positions of the rest pose against the documented proportions (cm; the table rounds to 0.1 cm).
    static let restTolerance: Float = 1e-3
    /// A BVH or JSON round trip must reproduce every world position (end sites included) within this (cm).
    static let roundTripPositionTolerance: Float = 2e-4
    /// … and every local rotation within this angle (the BVH writer's 5-decimal budget, as in BVHRoundTripTests).
    static let roundTripRotationToleranceDegrees = 1e-4

    static let fingerNames = ["Thumb", "Index", "Middle", "Ring", "Pinky"]

    @Test func committedFileIsTheTable() throws {
        let url = MotionTestSupport.repoRoot.appendingPathComponent("Motions/default_skeleton.bvh")
        let rest = Skeleton.a2mRestFrame(.a2mDefault)
        if ProcessInfo.processInfo.environment["A2M_REGENERATE_MOTIONS"] == "1" { try BVHWriter.write(rest, to: url) }
        #expect(Array(try Data(contentsOf: url)) == (try BVHWriter.bytes(rest)),
                "Motions/default_skeleton.bvh differs from Skeleton.a2mDefault; regenerate (see suite comment)")
        let (clip, warnings) = try BVHReader.read(url)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(clip.skeleton == Skeleton.a2mDefault)
        #expect(clip.jointCount == 52 && clip.fps == 30 && clip.skeleton.channelCount == 3 + 3 * 52)
        #expect(clip.rootPositions == [SIMD3(0, 95, 0)])
        #expect(Skeleton.a2mDefault.joints.allSatisfy { $0.rotationOrder == .zxy })
    }

    /// Motions/body_skeleton.bvh is the 22-joint default_skeleton.bvh exactly as committed before fingers
    /// (seed commit 91af2eb): old files read to `a2mBody`, joint for joint.
    @Test func oldTwentyTwoJointFileReadsAsTheBodySkeleton() throws {
        let url = MotionTestSupport.repoRoot.appendingPathComponent("Motions/body_skeleton.bvh")
        let (clip, warnings) = try BVHReader.read(url)
        #expect(warnings.isEmpty)
        #expect(clip.skeleton == Skeleton.a2mBody)
        #expect(Skeleton.a2mBody.jointCount == 22 && Skeleton.a2mBody.featureDim == 136)
        #expect(clip.rootPositions == [SIMD3(0, 95, 0)])
    }

    @Test func fingersHaveMixamoNamesAndTheBodyIsUnchanged() throws {
        let sk = Skeleton.a2mDefault, body = Skeleton.a2mBody
        for side in ["Left", "Right"] {
            let hand = try #require(sk.index(of: side + "Hand"))
            for finger in Self.fingerNames {
                var parent = hand
                for k in 1...3 {
                    let name = "\(side)Hand\(finger)\(k)"
                    let j = try #require(sk.index(of: name), "missing \(name)")
                    #expect(sk.joints[j].parent == parent, "\(name)'s parent")
                    #expect((sk.joints[j].endSite != nil) == (k == 3), "\(name): end site only on the last phalanx")
                    parent = j
                }
            }
        }
        #expect(sk.jointCount == body.jointCount + 2 * 15)
        // The body joints keep their names, relative order, parents and offsets; only the hands lose their end
        // site (the fingers replace it).
        let bodyInDefault = sk.names.filter { body.index(of: $0) != nil }
        #expect(bodyInDefault == body.names)
        for b in body.joints {
            let j = sk.joints[sk.index(of: b.name)!]
            #expect(j.offset == b.offset && j.rotationOrder == b.rotationOrder && j.hasPosition == b.hasPosition, "\(b.name)")
            #expect(j.parent.map { sk.names[$0] } == b.parent.map { body.names[$0] }, "\(b.name)'s parent")
            if !b.name.hasSuffix("Hand") { #expect(j.endSite == b.endSite, "\(b.name)'s end site") }
        }
    }

    @Test func restPoseHasHumanProportionsAndIsSymmetric() throws {
        let sk = Skeleton.a2mDefault
        let rest = Skeleton.a2mRestFrame(sk)
        let p = rest.worldPositions(frame: 0, includeEndSites: true)
        let names = sk.pointNames(includeEndSites: true)
        func at(_ n: String) -> SIMD3<Float> { p[names.firstIndex(of: n)!] }
        func near(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= Self.restTolerance }
        #expect(near(at("Hips").y, 95) && near(at("Head_End").y, 172) && near(at("LeftArm").y, 139))
        #expect(near(at("LeftToeBase_End").y, 0) && near(at("RightToeBase_End").y, 0))
        // Wrist to the middle finger's tip: 19 cm along the arm (+X on the left), from its knuckle 0.8 cm forward.
        let hand = at("LeftHandMiddle3_End") - at("LeftHand")
        #expect(near(hand.x, 19) && near(hand.y, 0) && near(hand.z, 0.8), "\(hand)")
        // Every Left point mirrors its Right twin in X.
        for (i, n) in names.enumerated() where n.hasPrefix("Left") {
            let r = p[names.firstIndex(of: "Right" + n.dropFirst(4))!]
            let d = SIMD3(-r.x, r.y, r.z) - p[i]
            #expect((d * d).sum().squareRoot() <= Self.restTolerance, "\(n) is not mirrored: \(p[i]) vs \(r)")
        }
        // Palm down, thumb forward: knuckles spread in Z from thumb (+Z) to pinky, tips beyond the knuckles.
        let knuckles = Self.fingerNames.dropFirst().map { at("LeftHand\($0)1") }
        #expect(zip(knuckles, knuckles.dropFirst()).allSatisfy { $0.z > $1.z }, "\(knuckles)")
        #expect(at("LeftHandThumb3_End").z > at("LeftHandIndex1").z && at("LeftHandThumb3_End").y < at("LeftHand").y)
    }

    @Test func fingerSkeletonRoundTripsThroughBVHAndJSON() throws {
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 3, seed: 35)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }

        let bvh = dir.appendingPathComponent("fingers.bvh")
        try BVHWriter.write(clip, to: bvh)
        let (back, warnings) = try BVHReader.read(bvh)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(back.skeleton == Skeleton.a2mDefault && back.frameCount == clip.frameCount)
        var worst = 0.0
        for f in 0..<clip.frameCount {
            for j in 0..<clip.jointCount {
                worst = max(worst, BVHRoundTripTests.angleDegrees(clip.rotationMatrix(frame: f, joint: j), back.rotationMatrix(frame: f, joint: j)))
            }
        }
        #expect(worst < Self.roundTripRotationToleranceDegrees, "BVH: max rotation error \(worst)°")
        let bvhError = MotionTestSupport.maxPositionError(clip, back)
        #expect(bvhError < Self.roundTripPositionTolerance, "BVH: max position error \(bvhError) cm")

        let json = dir.appendingPathComponent("fingers.json")
        try MotionJSON.write(clip, format: .a2m, to: json)
        let j = try MotionJSON.read(json)
        #expect(j.skeleton.names == Skeleton.a2mDefault.names && j.skeleton.parents == Skeleton.a2mDefault.parents)
        #expect(j.skeleton.joints.map(\.offset) == Skeleton.a2mDefault.joints.map(\.offset))
        #expect(j.skeleton.endSiteJoints == Skeleton.a2mDefault.endSiteJoints)
        let jsonError = MotionTestSupport.maxPositionError(clip, j)
        #expect(jsonError < Self.roundTripPositionTolerance, "JSON: max position error \(jsonError) cm")
    }

    /// Models trained on the 22-joint body skeleton (every model before the finger skeleton, the default model
    /// shipped until 2026-12-07 among them) embed it: they still load, and `a2m generate` with one writes 22-joint
    /// motion. The tiny test model is such a model.
    @Test func oldTwentyTwoJointModelLoadsAndGenerates() throws {
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let modelURL = try TinyModel.write(to: dir)
        let model = try GenerationModel.load(contentsOf: modelURL)
        #expect(model.skeleton == Skeleton.a2mBody)
        // 1.5 s of a gated 180 Hz buzz: any audio will do; the point is the skeleton of what comes out.
        let wav = dir.appendingPathComponent("buzz.wav")
        let samples = (0..<33075).map { i -> Float in
            let t = Double(i) / 22050
            return Float(0.3 * sin(2 * .pi * 180 * t) * (sin(2 * .pi * 3 * t) > 0 ? 1 : 0))
        }
        try PCM16WAV.encode(samples, sampleRate: 22050).write(to: wav)
        let r = try MotionTestSupport.runA2M(["generate", wav.path, "--model", modelURL.path, "--steps", "2", "--quiet", "--out", dir.path])
        try #require(r.status == 0, "a2m generate failed: \(r.stderr)")
        let out = try BVHReader.read(dir.appendingPathComponent("buzz.bvh")).clip
        #expect(out.skeleton == Skeleton.a2mBody && out.frameCount == 45)
    }
}
