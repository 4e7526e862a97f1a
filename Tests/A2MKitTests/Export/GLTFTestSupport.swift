import Foundation
import Testing
@testable import A2MCore
@testable import A2MMotion
@testable import A2MRetarget
@testable import A2MExport

/// An independent reading of a GLB for tests: the container, the JSON (Foundation's parser), accessors read
/// from the BIN chunk with bounds checks, and forward kinematics of the node tree at an animation key,
/// from the file alone (no a2m type but `Matrix3`/`Rotation` for the arithmetic).
struct GLBFile {
    var json: [String: Any]
    var bin: [UInt8]

    enum Failure: Error, CustomStringConvertible {
        case bad(String)
        var description: String { if case let .bad(s) = self { return s }; return "" }
    }

    init(_ bytes: [UInt8]) throws {
        func u32(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24 }
        guard bytes.count >= 20, u32(0) == 0x4654_6C67, u32(4) == 2 else { throw Failure.bad("not a GLB v2") }
        guard u32(8) == bytes.count else { throw Failure.bad("header length \(u32(8)) != file size \(bytes.count)") }
        let jl = u32(12)
        guard u32(16) == 0x4E4F_534A, jl % 4 == 0, 20 + jl <= bytes.count else { throw Failure.bad("bad JSON chunk") }
        json = try JSONSerialization.jsonObject(with: Data(bytes[20..<(20 + jl)])) as! [String: Any]
        if 20 + jl < bytes.count {
            let o = 20 + jl, bl = u32(o)
            guard u32(o + 4) == 0x004E_4942, bl % 4 == 0, o + 8 + bl == bytes.count else { throw Failure.bad("bad BIN chunk") }
            bin = Array(bytes[(o + 8)..<(o + 8 + bl)])
        } else {
            bin = []
        }
    }

    var nodes: [[String: Any]] { json["nodes"] as? [[String: Any]] ?? [] }
    var accessors: [[String: Any]] { json["accessors"] as? [[String: Any]] ?? [] }

    static let components = ["SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16]
    static let componentSizes = [5121: 1, 5123: 2, 5125: 4, 5126: 4]

    /// Every accessor's values as Doubles, after checking it lies inside its bufferView and the view inside the buffer.
    func accessor(_ i: Int) throws -> [Double] {
        let a = accessors[i]
        let views = json["bufferViews"] as! [[String: Any]]
        let v = views[a["bufferView"] as! Int]
        let ct = a["componentType"] as! Int, n = a["count"] as! Int
        guard let width = Self.components[a["type"] as! String], let size = Self.componentSizes[ct] else { throw Failure.bad("accessor \(i): bad type") }
        let vo = v["byteOffset"] as? Int ?? 0, vl = v["byteLength"] as! Int, ao = a["byteOffset"] as? Int ?? 0
        guard vo + vl <= bin.count else { throw Failure.bad("bufferView of accessor \(i) ends at \(vo + vl) > \(bin.count)") }
        guard ao + n * width * size <= vl else { throw Failure.bad("accessor \(i) needs \(ao + n * width * size) bytes, view has \(vl)") }
        guard (vo + ao) % size == 0 else { throw Failure.bad("accessor \(i) misaligned") }
        var out: [Double] = []
        out.reserveCapacity(n * width)
        for k in 0..<(n * width) {
            let o = vo + ao + k * size
            var u: UInt32 = 0
            for b in 0..<size { u |= UInt32(bin[o + b]) << (8 * b) }
            out.append(ct == 5126 ? Double(Float(bitPattern: u)) : Double(u))
        }
        return out
    }

    /// World positions of every node at animation key `key` (nodes without a channel keep their TRS).
    func worldPositions(key: Int) throws -> [SIMD3<Double>] {
        var t = nodes.map { n -> SIMD3<Double> in let a = (n["translation"] as? [Double]) ?? [0, 0, 0]; return SIMD3(a[0], a[1], a[2]) }
        var r = nodes.map { n -> SIMD4<Double> in let a = (n["rotation"] as? [Double]) ?? [0, 0, 0, 1]; return SIMD4(a[0], a[1], a[2], a[3]) }
        if let anim = (json["animations"] as? [[String: Any]])?.first {
            let samplers = anim["samplers"] as! [[String: Any]]
            for c in anim["channels"] as! [[String: Any]] {
                let target = c["target"] as! [String: Any], node = target["node"] as! Int, path = target["path"] as! String
                let values = try accessor(samplers[c["sampler"] as! Int]["output"] as! Int)
                switch path {
                case "translation": t[node] = SIMD3(values[3 * key], values[3 * key + 1], values[3 * key + 2])
                case "rotation": r[node] = SIMD4(values[4 * key], values[4 * key + 1], values[4 * key + 2], values[4 * key + 3])
                default: throw Failure.bad("unexpected channel path \(path)")
                }
            }
        }
        var parent = [Int?](repeating: nil, count: nodes.count)
        for (i, n) in nodes.enumerated() { for c in (n["children"] as? [Int]) ?? [] { parent[c] = i } }
        var world = [(Matrix3, SIMD3<Double>)?](repeating: nil, count: nodes.count)
        func w(_ i: Int) -> (Matrix3, SIMD3<Double>) {
            if let x = world[i] { return x }
            let m = Rotation.matrix(quaternion: r[i])
            var out = (m, t[i])
            if let p = parent[i] { let (pm, pt) = w(p); out = (pm * m, pt + pm * t[i]) }
            world[i] = out
            return out
        }
        return nodes.indices.map { w($0).1 }
    }

    func nodeIndex(_ name: String) -> Int? { nodes.firstIndex { ($0["name"] as? String) == name } }
}

enum ExportFixtures {
    static var wave: MotionClip { get throws { try BVHReader.read(MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh")).clip } }

    /// Every joint of the default skeleton turning smoothly, with root travel: exercises all channels.
    static func moving(seconds: Double = 2, fps: Double = 30, seed: UInt64 = 7) -> MotionClip {
        MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: fps, seconds: seconds, seed: seed)
    }

    static func python(_ module: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import \(module)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Runs `python3 args...`; returns exit status and combined output.
    static func runPython(_ args: [String]) throws -> (status: Int32, output: String) {
        try run("/usr/bin/env", ["python3"] + args)
    }

    /// Runs a program; returns exit status and combined stdout + stderr.
    static func run(_ executable: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    static func fixture(_ name: String) -> URL {
        MotionTestSupport.repoRoot.appendingPathComponent("Tests/A2MKitTests/Fixtures/export/\(name)")
    }
}
