import Foundation
import A2MMotion

/// Reads the skeleton of a glTF 2.0 file (.gltf, .glb, .vrm, .vrma) as a `Rig`.
///
/// Joints: the first skin's `joints` with the most joints, plus any nodes needed to connect them into one tree;
/// without a skin, the largest node tree of the scene (VRMA files have none). Rest pose: the nodes'
/// translation/rotation/scale (or matrix); scale (an armature's 0.01, say) is baked into the offsets, so the
/// rig is in metres with unscaled joints. The humanoid map comes from the VRM 1.0 (`VRMC_vrm`), VRM 0.x (`VRM`)
/// or VRMA (`VRMC_vrm_animation`) extension when present, else from the joint names.
enum GLTFRigReader {
    static func read(_ url: URL) throws -> Rig {
        let file = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw RigError.unreadable(file: file, reason: error.localizedDescription) }
        let json = try jsonChunk(data, file: file)
        guard let root = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw RigError.unreadable(file: file, reason: "the glTF JSON does not parse as an object")
        }
        let nodes = (root["nodes"] as? [[String: Any]]) ?? []
        guard !nodes.isEmpty else { throw RigError.noSkeleton(file: file) }

        // Parents and local transforms of every node.
        var parent = [Int?](repeating: nil, count: nodes.count)
        for (i, n) in nodes.enumerated() {
            for c in (n["children"] as? [Int]) ?? [] {
                guard c >= 0, c < nodes.count, c != i else { throw RigError.invalid(file: file, field: "nodes[\(i)].children", reason: "child \(c) is not a node") }
                guard parent[c] == nil else { throw RigError.invalid(file: file, field: "nodes[\(c)]", reason: "has two parents") }
                parent[c] = i
            }
        }
        var local: [(m: Matrix3, t: SIMD3<Double>)] = []
        for (i, n) in nodes.enumerated() { local.append(try transform(n, file: file, field: "nodes[\(i)]")) }
        var world = [(m: Matrix3, t: SIMD3<Double>)?](repeating: nil, count: nodes.count)
        func worldOf(_ i: Int, depth: Int = 0) throws -> (m: Matrix3, t: SIMD3<Double>) {
            if let w = world[i] { return w }
            guard depth < nodes.count else { throw RigError.invalid(file: file, field: "nodes[\(i)]", reason: "the node hierarchy has a cycle") }
            var w = local[i]
            if let p = parent[i] { let pw = try worldOf(p, depth: depth + 1); w = (pw.m * local[i].m, pw.t + pw.m * local[i].t) }
            world[i] = w
            return w
        }

        // The joint set.
        var joints: Set<Int>
        let skins = (root["skins"] as? [[String: Any]]) ?? []
        if let skin = skins.max(by: { (($0["joints"] as? [Int])?.count ?? 0) < (($1["joints"] as? [Int])?.count ?? 0) }),
           let js = skin["joints"] as? [Int], !js.isEmpty {
            guard js.allSatisfy({ $0 >= 0 && $0 < nodes.count }) else { throw RigError.invalid(file: file, field: "skins", reason: "a joint index is not a node") }
            joints = Set(js)
        } else {
            // The largest tree of plain nodes (no mesh, camera or light).
            let plain = { (i: Int) -> Bool in nodes[i]["mesh"] == nil && nodes[i]["camera"] == nil }
            var best: Set<Int> = []
            for r in nodes.indices where parent[r] == nil {
                var tree: Set<Int> = [], stack = [r]
                while let i = stack.popLast() {
                    guard plain(i) else { continue }
                    tree.insert(i)
                    stack += (nodes[i]["children"] as? [Int]) ?? []
                }
                if tree.count > best.count { best = tree }
            }
            joints = best
        }
        guard !joints.isEmpty else { throw RigError.noSkeleton(file: file) }
        // Connect several top joints through their nearest common ancestor.
        func ancestors(_ i: Int) -> [Int] { var a: [Int] = [], p = parent[i]; while let q = p { a.append(q); p = parent[q] }; return a }
        var tops = joints.filter { parent[$0].map { !joints.contains($0) } ?? true }.sorted()
        if tops.count > 1 {
            let chains = tops.map { [$0] + ancestors($0) }
            guard let common = chains[0].first(where: { c in chains.allSatisfy { $0.contains(c) } }) else {
                throw RigError.invalid(file: file, field: "skins", reason: "the joints form \(tops.count) separate trees (\(tops.map { nodeName(nodes, $0) }.joined(separator: ", ")))")
            }
            for ch in chains { for n in ch { if n == common { break }; joints.insert(n) } }
            joints.insert(common)
            tops = [common]
        }
        // Depth-first order from the top joint; children in the file's order.
        var order: [Int] = [], stack = [tops[0]]
        while let i = stack.popLast() {
            order.append(i)
            stack += ((nodes[i]["children"] as? [Int]) ?? []).filter { joints.contains($0) }.reversed()
        }
        var index: [Int: Int] = [:]
        for (k, n) in order.enumerated() { index[n] = k }
        var skelJoints: [Skeleton.Joint] = [], rest: [SIMD4<Float>] = []
        var seen = Set<String>()
        for n in order {
            let name = nodeName(nodes, n)
            guard seen.insert(name).inserted else { throw RigError.duplicateJoint(file: file, name: name) }
            let w = try worldOf(n)
            let rw = orthonormal(w.m)
            let p = parent[n].flatMap { index[$0] }
            var offset = w.t, r = rw
            if let p {
                let pw = try worldOf(order[p]), prw = orthonormal(pw.m)
                offset = prw.transposed * (w.t - pw.t)
                r = prw.transposed * rw
            }
            skelJoints.append(Skeleton.Joint(name: name, parent: p, offset: SIMD3<Float>(offset), hasPosition: p == nil, rotationOrder: .zxy))
            rest.append(SIMD4<Float>(Rotation.quaternion(r)))
        }
        let skeleton: Skeleton
        do { skeleton = try Skeleton(joints: skelJoints) } catch let e as SkeletonError {
            throw RigError.invalid(file: file, field: "nodes", reason: e.description)
        }
        let ext = url.pathExtension.lowercased()
        let humanoid = try vrmHumanoid(root, nodeIndex: index, file: file)
        return Rig(skeleton: skeleton, restRotations: rest, unit: .m, humanoid: humanoid, file: file,
                   format: (ext == "vrm" || humanoid != nil) ? .vrm : .gltf)
    }

    static func nodeName(_ nodes: [[String: Any]], _ i: Int) -> String {
        (nodes[i]["name"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "node\(i)"
    }

    /// The JSON of a .gltf file, or the JSON chunk of a GLB (.glb, .vrm, .vrma).
    static func jsonChunk(_ data: Data, file: String) throws -> Data {
        let bytes = [UInt8](data.prefix(20))
        guard bytes.count >= 4, bytes[0] == 0x67, bytes[1] == 0x6C, bytes[2] == 0x54, bytes[3] == 0x46 else { return data }
        func u32(_ o: Int) -> Int { data.count >= o + 4 ? data.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: o, as: UInt32.self))) } : -1 }
        guard data.count >= 20, u32(4) == 2 else { throw RigError.unreadable(file: file, reason: "GLB header: expected version 2") }
        let length = u32(12)
        guard u32(16) == 0x4E4F_534A, length > 0, 20 + length <= data.count else {
            throw RigError.unreadable(file: file, reason: "GLB: the first chunk must be JSON and fit in the file")
        }
        return data.subdata(in: 20..<(20 + length))
    }

    /// A node's local transform: `matrix`, or translation · rotation · scale.
    static func transform(_ n: [String: Any], file: String, field: String) throws -> (m: Matrix3, t: SIMD3<Double>) {
        func numbers(_ key: String, _ count: Int) throws -> [Double]? {
            guard let v = n[key] else { return nil }
            guard let a = v as? [NSNumber], a.count == count, a.allSatisfy({ $0.doubleValue.isFinite }) else {
                throw RigError.invalid(file: file, field: "\(field).\(key)", reason: "expected \(count) finite numbers")
            }
            return a.map(\.doubleValue)
        }
        if let m = try numbers("matrix", 16) {
            return (Matrix3(columns: [m[0], m[1], m[2]], [m[4], m[5], m[6]], [m[8], m[9], m[10]]), [m[12], m[13], m[14]])
        }
        let t = try numbers("translation", 3) ?? [0, 0, 0]
        let q = try numbers("rotation", 4) ?? [0, 0, 0, 1]
        let s = try numbers("scale", 3) ?? [1, 1, 1]
        let r = Rotation.matrix(quaternion: SIMD4(q[0], q[1], q[2], q[3]))
        return (Matrix3(columns: r.c0 * s[0], r.c1 * s[1], r.c2 * s[2]), [t[0], t[1], t[2]])
    }

    /// The rotation part of a matrix that may carry scale (columns normalized, then Gram–Schmidt).
    static func orthonormal(_ m: Matrix3) -> Matrix3 {
        Rotation.matrix(sixD: m.c0, m.c1)
    }

    /// The humanoid map of a VRM 1.0, VRM 0.x or VRMA file, nil when the file has none.
    static func vrmHumanoid(_ root: [String: Any], nodeIndex: [Int: Int], file: String) throws -> HumanoidMap? {
        let ext = root["extensions"] as? [String: Any] ?? [:]
        var pairs: [(String, Int)] = [], source = ""
        var thumbsUnityStyle = false
        if let v1 = (ext["VRMC_vrm"] ?? ext["VRMC_vrm_animation"]) as? [String: Any],
           let bones = (v1["humanoid"] as? [String: Any])?["humanBones"] as? [String: Any] {
            source = ext["VRMC_vrm"] != nil ? "VRM 1.0 humanoid" : "VRMA humanoid"
            for (name, v) in bones { if let node = (v as? [String: Any])?["node"] as? Int { pairs.append((name, node)) } }
        } else if let v0 = ext["VRM"] as? [String: Any], let bones = (v0["humanoid"] as? [String: Any])?["humanBones"] as? [[String: Any]] {
            source = "VRM 0.x humanoid"
            thumbsUnityStyle = true
            for b in bones { if let name = b["bone"] as? String, let node = b["node"] as? Int { pairs.append((name, node)) } }
        } else {
            return nil
        }
        var map: [HumanoidBone: Int] = [:]
        for (name, node) in pairs.sorted(by: { $0.0 < $1.0 }) {
            var bone = HumanoidBone(rawValue: name)
            if thumbsUnityStyle, name.contains("Thumb") { bone = HumanoidNameConvention.unity.bone(for: name) }
            guard let bone else { continue }  // leftEye, rightEye and unknown names carry no motion
            guard let j = nodeIndex[node] else {
                throw RigError.invalid(file: file, field: "humanBones.\(name)", reason: "node \(node) is not a joint of the skeleton")
            }
            map[bone] = j
        }
        return HumanoidMap(joints: map, source: source)
    }
}
