import Foundation
@testable import A2MCore
@testable import A2MMotion

/// Shared helpers for the Motion suites.
enum MotionTestSupport {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/motion")!
    }

    /// Runs the a2m binary built next to the test bundle; returns its exit status and stderr.
    static func runA2M(_ args: [String]) throws -> (status: Int32, stderr: String) {
        let url = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("a2m")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            return (-1, "a2m binary not found at \(url.path)")
        }
        let p = Process()
        p.executableURL = url
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-motion-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A random unit quaternion (uniform on SO(3) is not needed; any spread of rotations is).
    static func randomQuaternion(_ rng: inout PCG32) -> SIMD4<Float> {
        var q = SIMD4<Float>(rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian())
        q /= (q * q).sum().squareRoot()
        return q
    }

    /// A smooth random motion on `skeleton`: every joint swings on sinusoids of a few radians, the root
    /// walks and turns. Smooth so velocities and resampling behave like real data.
    static func smoothClip(skeleton: Skeleton, fps: Double, seconds: Double, seed: UInt64) -> MotionClip {
        var rng = PCG32(seed: seed)
        let n = Int(seconds * fps) + 1
        let jc = skeleton.jointCount
        var params: [(SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)] = []
        for _ in 0..<jc {
            let amp = SIMD3<Double>(Double(rng.uniformFloat()), Double(rng.uniformFloat()), Double(rng.uniformFloat())) * 120
            let freq = SIMD3<Double>(Double(rng.uniformFloat()), Double(rng.uniformFloat()), Double(rng.uniformFloat())) * 2 + 0.1
            let phase = SIMD3<Double>(Double(rng.uniformFloat()), Double(rng.uniformFloat()), Double(rng.uniformFloat())) * 6
            params.append((amp, freq, phase))
        }
        var roots: [SIMD3<Float>] = [], rots: [SIMD4<Float>] = []
        var prev = [SIMD4<Float>](repeating: SIMD4(0, 0, 0, 1), count: jc)
        for f in 0..<n {
            let t = Double(f) / fps
            roots.append(SIMD3<Float>(Float(80 * sin(0.3 * t)), Float(95 + 3 * sin(2 * t)), Float(60 * t)))
            for j in 0..<jc {
                let (a, w, p) = params[j]
                var e = SIMD3<Double>(a.x * sin(w.x * t + p.x), a.y * sin(w.y * t + p.y), a.z * sin(w.z * t + p.z))
                if j == 0 { e.x = 200 * t } // root keeps turning: heading wraps past ±180°
                let m = Rotation.matrix(eulerDegrees: e, order: skeleton.joints[j].rotationOrder ?? .zxy)
                let q = Rotation.continuous(SIMD4<Float>(Rotation.quaternion(m)), after: prev[j])
                prev[j] = q
                rots.append(q)
            }
        }
        return MotionClip(skeleton: skeleton, fps: fps, rootPositions: roots, rotations: rots)
    }

    static func maxPositionError(_ a: MotionClip, _ b: MotionClip, includeEndSites: Bool = true) -> Float {
        var worst: Float = 0
        for f in 0..<min(a.frameCount, b.frameCount) {
            let pa = a.worldPositions(frame: f, includeEndSites: includeEndSites)
            let pb = b.worldPositions(frame: f, includeEndSites: includeEndSites)
            for (x, y) in zip(pa, pb) { worst = max(worst, ((x - y) * (x - y)).sum().squareRoot()) }
        }
        return worst
    }

    /// Largest rotation-matrix element difference over all frames and joints.
    static func maxRotationError(_ a: MotionClip, _ b: MotionClip) -> Double {
        var worst = 0.0
        for f in 0..<min(a.frameCount, b.frameCount) {
            for j in 0..<a.jointCount {
                worst = max(worst, a.rotationMatrix(frame: f, joint: j).maxDifference(b.rotationMatrix(frame: f, joint: j)))
            }
        }
        return worst
    }
}
