import Foundation
@testable import A2MCore
@testable import A2MMotion
@testable import A2MAudio
@testable import A2MTraining

/// Small paired corpora made on the fly: a 16-bit WAV (tiny writer below) whose loudness follows an envelope,
/// and a BVH (Motion's writer) whose arms swing with the same envelope.
enum TrainingFixtures {
    /// The tiny config of the training tests: seconds per step in debug builds.
    static func tinyConfig(p: Float = 0.25, dropout: Float = 0, window: Int = 16, batch: Int = 4, steps: Int = 20,
                           validationFraction: Double = 0.34, logInterval: Int = 1, checkpointInterval: Int = 6) -> String {
        """
        {
          "audio": {"nMels": 16},
          "model": {"width": 32, "layers": 1, "heads": 2, "ffn": 64, "encoderLayers": 1, "dropout": \(dropout),
                    "windowFrames": \(window), "motionDim": 136, "audioDim": 16, "condDropProbability": \(p), "diffusionSteps": 1000},
          "diffusion": {"steps": 1000},
          "training": {"batchSize": \(batch), "learningRate": 0.002, "warmupSteps": 5, "totalSteps": \(steps),
                       "windowFrames": \(window), "windowStride": \(window / 2), "validationFraction": \(validationFraction),
                       "validationMaxWindows": 8, "logInterval": \(logInterval), "validationInterval": 4, "checkpointInterval": \(checkpointInterval),
                       "emaDecay": 0.9, "seed": 3}
        }
        """
    }

    static func writeConfig(_ text: String, in dir: ScratchDirectory, name: String = "config.json") throws -> URL {
        let url = dir.path(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Mono 16-bit PCM WAV.
    static func writeWAV(_ samples: [Float], sampleRate: Int, to url: URL) throws {
        var d = Data()
        func u32(_ x: UInt32) { withUnsafeBytes(of: x.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ x: UInt16) { withUnsafeBytes(of: x.littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + 2 * samples.count)); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(UInt32(sampleRate)); u32(UInt32(2 * sampleRate)); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(UInt32(2 * samples.count))
        for s in samples { u16(UInt16(bitPattern: Int16((max(-1, min(1, s)) * 32767).rounded()))) }
        try d.write(to: url)
    }

    static func envelope(_ time: Double, seed: UInt64) -> Double {
        let f = 0.7 + Double(seed % 5) * 0.3
        return 0.5 + 0.5 * sin(2 * Double.pi * f * time + Double(seed))
    }

    /// One pair NAME.wav + NAME.bvh of `seconds` seconds, motion at `fps` on `skeleton`.
    static func writePair(_ name: String, in dir: URL, seconds: Double, fps: Double = 60, seed: UInt64,
                          skeleton: Skeleton = Skeleton.a2mBody, audioExtension: String = "wav") throws {
        let sr = 16000
        let n = Int(seconds * Double(sr))
        var rng = PCG32(seed: seed, stream: 99)
        let audio = (0..<n).map { i -> Float in
            let t = Double(i) / Double(sr)
            return Float(0.6 * envelope(t, seed: seed) * sin(2 * Double.pi * 220 * t)) + 0.01 * (rng.uniformFloat() - 0.5)
        }
        try writeWAV(audio, sampleRate: sr, to: dir.appendingPathComponent(name + "." + audioExtension))
        let frames = Int(seconds * fps) + 1
        var clip = MotionClip(restPoseOf: skeleton, fps: fps, frames: frames)
        let arms = ["LeftArm", "RightArm", "Spine"].compactMap { skeleton.index(of: $0) }
        for f in 0..<frames {
            let e = envelope(Double(f) / fps, seed: seed)
            clip.rootPositions[f].x = Float(6 * Double(f) / fps)   // 6 units/s at any frame rate
            for (k, j) in arms.enumerated() {
                let angle = (k == 2 ? 0.2 : 1.0) * (e - 0.5) * (k == 1 ? -1 : 1)
                clip.rotations[f * skeleton.jointCount + j] = SIMD4<Float>(0, 0, Float(sin(angle / 2)), Float(cos(angle / 2)))
            }
        }
        try BVHWriter.write(clip, to: dir.appendingPathComponent(name + ".bvh"))
    }

    /// The default skeleton under a still root node ("Reference", as CMU conversions and Bandai Namco's `joint_Root`):
    /// the Hips carry the body's travel in position channels of their own.
    static let stillRootSkeleton: Skeleton = {
        let d = Skeleton.a2mDefault
        var joints = [Skeleton.Joint(name: "Reference", parent: nil, offset: .zero, hasPosition: true)]
        for j in d.joints {
            var k = j
            k.parent = (j.parent ?? -1) + 1
            if j.parent == nil { k.hasPosition = true }
            joints.append(k)
        }
        return try! Skeleton(joints: joints)
    }()

    /// A pair on `stillRootSkeleton` whose Hips walk `speed` units/s along +x (with a small sideways sway) while the
    /// root stays at the origin; audio as `writePair`.
    static func writeStillRootPair(_ name: String, in dir: URL, seconds: Double, fps: Double = 60, seed: UInt64, speed: Double = 6) throws {
        try writePair(name, in: dir, seconds: seconds, fps: fps, seed: seed)
        let s = stillRootSkeleton
        let frames = Int(seconds * fps) + 1
        var clip = MotionClip(restPoseOf: s, fps: fps, frames: frames)
        let hips = s.joints[1].offset
        clip.translations[1] = (0..<frames).map { f in
            let t = Double(f) / fps
            return hips + SIMD3<Float>(Float(speed * t), Float(0.5 * sin(4 * t)), Float(sin(2 * Double.pi * 0.5 * t)))
        }
        let arms = ["LeftArm", "RightArm"].compactMap { s.index(of: $0) }
        for f in 0..<frames {
            let e = envelope(Double(f) / fps, seed: seed)
            for (k, j) in arms.enumerated() {
                let angle = (e - 0.5) * (k == 1 ? -1 : 1)
                clip.rotations[f * s.jointCount + j] = SIMD4<Float>(0, 0, Float(sin(angle / 2)), Float(cos(angle / 2)))
            }
        }
        try BVHWriter.write(clip, to: dir.appendingPathComponent(name + ".bvh"))
    }

    /// A corpus of `count` pairs named clip0, clip1, ...
    static func corpus(count: Int, seconds: Double = 2, in dir: URL) throws {
        for i in 0..<count { try writePair("clip\(i)", in: dir, seconds: seconds, seed: UInt64(i + 1)) }
    }

    /// A new subdirectory `name` of `dir` holding `count` pairs (none when 0).
    static func dataDirectory(in dir: ScratchDirectory, count: Int, name: String = "data") throws -> URL {
        let data = dir.path(name)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try corpus(count: count, in: data)
        return data
    }
}

extension TrainingSet {
    /// The tests' shorthand: every layout detected, the cache in DIR/.a2m-cache (a hidden folder the scan skips).
    static func load(directory: URL, audio: AudioFeatureConfig, training: TrainingConfig) throws -> TrainingSet {
        try load(Source(directory: directory), cache: directory.appendingPathComponent(".a2m-cache"), audio: audio, training: training)
    }
}
