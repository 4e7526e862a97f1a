import Foundation
import A2MCore
import A2MMotion
import A2MRetarget

/// glTF 2.0 export of a `MotionClip` (`a2m convert IN --to OUT.glb|OUT.gltf`, docs/formats.md "glTF").
///
/// What is written, following the spec (metres, Y up, the asset facing +Z, quaternions x y z w):
/// - every joint as a node, children nested as in the skeleton; translation = the joint's offset (the root's:
///   its first-frame position, so the bind pose stands where the motion starts), rotation = its rest rotation
///   (identity for BVH skeletons, the rig's own for a retargeted glTF rig);
/// - a skin over all joints, with `inverseBindMatrices` from that rest pose;
/// - a skinned mesh of one capsule per bone (joint → child joint and joint → end site), each capsule bound
///   rigidly to the bone's parent joint, so every importer builds an armature and shows a body;
/// - one animation: a rotation channel for every joint, a translation channel for the root (and for joints
///   with per-frame translations), times in seconds (frame k at k / fps), LINEAR.
/// Output is deterministic: the same clip gives the same bytes.
public enum GLTFExport {
    public struct Options: Sendable {
        /// Units of the clip's lengths; the file is always in metres.
        public var unit: LengthUnit
        /// Add the skinned capsule mesh (and the skin).
        public var skinnedMesh: Bool
        /// Local rest rotation of every joint (x, y, z, w); nil = identity, the BVH rest pose.
        public var restRotations: [SIMD4<Float>]?
        /// Name of the animation and of the scene.
        public var name: String

        public init(unit: LengthUnit = .cm, skinnedMesh: Bool = true, restRotations: [SIMD4<Float>]? = nil, name: String = "a2m") {
            self.unit = unit
            self.skinnedMesh = skinnedMesh
            self.restRotations = restRotations
            self.name = name
        }
    }

    /// Capsule shape: radius = `radiusPerLength` × bone length, clamped to `radiusRange` metres. Torso bones
    /// (whose child carries at least `torsoShare` of all joints: the spine below the shoulders) get
    /// `torsoRadius` × the rest height instead, so the body is not a stick.
    static let radiusPerLength = 0.22
    static let radiusRange = 0.006...0.065
    static let torsoShare = 0.25
    static let torsoRadius = 0.06
    /// Vertices around a capsule, and rings per hemisphere.
    static let capsuleSides = 10, capsuleCapRings = 3

    /// Writes `url` (.glb, or .gltf plus .bin beside it). Non-finite values are refused before anything is written.
    public static func write(_ clip: MotionClip, to url: URL, options: Options = Options()) throws {
        try document(clip, options: options, file: url.path).write(to: url)
    }

    public static func document(_ clip: MotionClip, options: Options = Options(), file: String = "<memory>") throws -> GLTFDocument {
        var a = try GLTFAssembly(clip: clip, unit: options.unit, restRotations: options.restRotations, file: file)
        if options.skinnedMesh { a.addSkinnedMesh() }
        a.addAnimation(name: options.name)
        return a.document(sceneName: options.name)
    }
}

/// Errors of glTF/VRMA export.
public enum GLTFExportError: Error, CustomStringConvertible, Equatable {
    case invalid(file: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(f, r): return "\(f): cannot export glTF: \(r)"
        }
    }
}

/// Builds one glTF document step by step: joint nodes first (node j = joint j), then optional skin + mesh,
/// extra nodes, animation, root extensions.
struct GLTFAssembly {
    let clip: MotionClip
    let scale: Float
    let restRotations: [SIMD4<Float>]
    /// Bind-pose world transforms, metres.
    let bind: [(rotation: Matrix3, position: SIMD3<Double>)]
    var bin = GLTFBinary()
    var nodes: [JSONValue] = []
    var sceneRoots: [Int] = [0]
    var meshes: [JSONValue] = []
    var skins: [JSONValue] = []
    var materials: [JSONValue] = []
    var animations: [JSONValue] = []
    var extensionsUsed: [String] = []
    var extensions: [(String, JSONValue)] = []
    /// Extra animation channels (node, path, accessor of values) added before `addAnimation`.
    var extraChannels: [(node: Int, path: String, values: Int)] = []
    private var timesAccessor: Int?

    init(clip: MotionClip, unit: LengthUnit, restRotations rest: [SIMD4<Float>]?, file: String) throws {
        guard clip.fps > 0, clip.fps.isFinite else { throw GLTFExportError.invalid(file: file, reason: "fps must be positive, got \(clip.fps)") }
        guard clip.frameCount > 0 else { throw GLTFExportError.invalid(file: file, reason: "the clip has no frames") }
        if let i = clip.rootPositions.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && $0.z.isFinite) }) {
            throw GLTFExportError.invalid(file: file, reason: "root position of frame \(i) is not finite")
        }
        if let i = clip.rotations.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && $0.z.isFinite && $0.w.isFinite) }) {
            throw GLTFExportError.invalid(file: file, reason: "rotation of joint '\(clip.skeleton.joints[i % clip.jointCount].name)' at frame \(i / clip.jointCount) is not finite")
        }
        if let rest, rest.count != clip.jointCount {
            throw GLTFExportError.invalid(file: file, reason: "\(rest.count) rest rotations for \(clip.jointCount) joints")
        }
        self.clip = clip
        scale = Float(unit.metres)
        restRotations = rest ?? Array(repeating: SIMD4(0, 0, 0, 1), count: clip.jointCount)
        var restClip = MotionClip(skeleton: clip.skeleton, fps: clip.fps, rootPositions: [clip.rootPositions[0]],
                                  rotations: restRotations, translations: clip.translations.mapValues { [$0[0]] })
        restClip = restClip.scaled(by: unit.metres)
        bind = restClip.worldTransforms(frame: 0)

        let s = clip.skeleton
        var children = [[Int]](repeating: [], count: s.jointCount)
        for (j, joint) in s.joints.enumerated() { if let p = joint.parent { children[p].append(j) } }
        for (j, joint) in s.joints.enumerated() {
            let t = restClip.localTranslation(frame: 0, joint: j)
            var node: [(String, JSONValue)] = [("name", .string(joint.name))]
            if !children[j].isEmpty { node.append(("children", .ints(children[j]))) }
            let q = restRotations[j]
            if q != SIMD4(0, 0, 0, 1) { node.append(("rotation", .floats([q.x, q.y, q.z, q.w]))) }
            if t != .zero { node.append(("translation", .floats([t.x, t.y, t.z]))) }
            nodes.append(.object(node))
        }
    }

    /// Bind-pose world position (metres) of every end site, by joint.
    func endSitePosition(_ j: Int) -> SIMD3<Double>? {
        guard let e = clip.skeleton.joints[j].endSite else { return nil }
        return bind[j].position + bind[j].rotation * (SIMD3<Double>(e.offset) * Double(scale))
    }

    /// The skin over every joint and the capsule body bound to it.
    mutating func addSkinnedMesh() {
        let s = clip.skeleton
        // Inverse bind matrices, column-major: [Rᵀ | −Rᵀ p].
        var ibm: [Float] = []
        ibm.reserveCapacity(16 * s.jointCount)
        for (r, p) in bind {
            let rt = r.transposed, t = -(rt * p)
            for c in 0..<3 { ibm += [Float(rt[0, c]), Float(rt[1, c]), Float(rt[2, c]), 0] }
            ibm += [Float(t.x), Float(t.y), Float(t.z), 1]
        }
        let ibmAccessor = bin.floats(ibm, type: "MAT4", count: s.jointCount)

        var mesh = CapsuleMesh()
        var subtree = [Int](repeating: 1, count: s.jointCount)
        for j in stride(from: s.jointCount - 1, to: 0, by: -1) { subtree[s.joints[j].parent!] += subtree[j] }
        let heights = bind.map(\.position.y)
        let torso = GLTFExport.torsoRadius * ((heights.max() ?? 0) - (heights.min() ?? 0))
        for (j, joint) in s.joints.enumerated() {
            if let p = joint.parent {
                let isTorso = Double(subtree[j]) >= GLTFExport.torsoShare * Double(s.jointCount) && torso > 0
                mesh.addCapsule(from: bind[p].position, to: bind[j].position, joint: p, radius: isTorso ? torso : nil)
            }
            if let e = endSitePosition(j) { mesh.addCapsule(from: bind[j].position, to: e, joint: j) }
        }
        if mesh.positions.isEmpty {
            // A single joint without end site: a small ball so the mesh is not empty.
            mesh.addCapsule(from: bind[0].position, to: bind[0].position, joint: 0)
        }
        let n = mesh.positions.count / 3
        let pos = bin.floats(mesh.positions, type: "VEC3", count: n, target: .vertices, withBounds: true)
        let nor = bin.floats(mesh.normals, type: "VEC3", count: n, target: .vertices)
        let jnt = bin.integers(mesh.joints, type: "VEC4", count: n, target: .vertices)
        let wgt = bin.floats(mesh.weights, type: "VEC4", count: n, target: .vertices)
        let idx = bin.integers(mesh.indices, type: "SCALAR", count: mesh.indices.count, target: .indices,
                               forceInt: n > Int(UInt16.max))
        materials.append(.object([("name", .string("a2m_body")),
                                  ("pbrMetallicRoughness", .object([("baseColorFactor", .floats([0.72, 0.74, 0.78, 1])),
                                                                    ("metallicFactor", .float(0)), ("roughnessFactor", .float(0.8))]))]))
        meshes.append(.object([("name", .string("a2m_body")), ("primitives", .array([.object([
            ("attributes", .object([("POSITION", .int(pos)), ("NORMAL", .int(nor)), ("JOINTS_0", .int(jnt)), ("WEIGHTS_0", .int(wgt))])),
            ("indices", .int(idx)), ("material", .int(0)), ("mode", .int(4)),
        ])]))]))
        skins.append(.object([("name", .string("a2m_skeleton")), ("inverseBindMatrices", .int(ibmAccessor)),
                              ("skeleton", .int(0)), ("joints", .ints(0..<s.jointCount))]))
        nodes.append(.object([("name", .string("a2m_body")), ("mesh", .int(0)), ("skin", .int(0))]))
        sceneRoots.append(nodes.count - 1)
    }

    /// The accessor of frame times (seconds), created once.
    mutating func times() -> Int {
        if let t = timesAccessor { return t }
        let t = bin.floats((0..<clip.frameCount).map { Float(Double($0) / clip.fps) }, type: "SCALAR", count: clip.frameCount, withBounds: true)
        timesAccessor = t
        return t
    }

    /// Rotation channels for every joint; translation for the root and for joints with per-frame translations.
    mutating func addAnimation(name: String) {
        let input = times()
        var samplers: [JSONValue] = [], channels: [JSONValue] = []
        func channel(node: Int, path: String, values: Int) {
            samplers.append(.object([("input", .int(input)), ("interpolation", .string("LINEAR")), ("output", .int(values))]))
            channels.append(.object([("sampler", .int(samplers.count - 1)),
                                     ("target", .object([("node", .int(node)), ("path", .string(path))]))]))
        }
        let n = clip.frameCount, jc = clip.jointCount
        channel(node: 0, path: "translation",
                values: bin.floats(clip.rootPositions.flatMap { p in [p.x * scale, p.y * scale, p.z * scale] }, type: "VEC3", count: n))
        for j in clip.translations.keys.sorted() {
            channel(node: j, path: "translation",
                    values: bin.floats(clip.translations[j]!.flatMap { p in [p.x * scale, p.y * scale, p.z * scale] }, type: "VEC3", count: n))
        }
        for j in 0..<jc {
            var v = [Float]()
            v.reserveCapacity(4 * n)
            for f in 0..<n { let q = clip.rotations[f * jc + j]; v += [q.x, q.y, q.z, q.w] }
            channel(node: j, path: "rotation", values: bin.floats(v, type: "VEC4", count: n))
        }
        for c in extraChannels { channel(node: c.node, path: c.path, values: c.values) }
        animations.append(.object([("name", .string(name)), ("channels", .array(channels)), ("samplers", .array(samplers)),
                                   ("extras", .object([("fps", .double(clip.fps)), ("frameCount", .int(n))]))]))
    }

    func document(sceneName: String) -> GLTFDocument {
        var top: [(String, JSONValue)] = [("asset", .object([("version", .string("2.0")), ("generator", .string("a2m \(A2MKitVersion.string)"))]))]
        if !extensionsUsed.isEmpty { top.append(("extensionsUsed", .array(extensionsUsed.map { .string($0) }))) }
        top.append(("scene", .int(0)))
        top.append(("scenes", .array([.object([("name", .string(sceneName)), ("nodes", .ints(sceneRoots))])])))
        top.append(("nodes", .array(nodes)))
        if !meshes.isEmpty { top.append(("meshes", .array(meshes))) }
        if !materials.isEmpty { top.append(("materials", .array(materials))) }
        if !skins.isEmpty { top.append(("skins", .array(skins))) }
        if !animations.isEmpty { top.append(("animations", .array(animations))) }
        top.append(("accessors", .array(bin.accessors)))
        top.append(("bufferViews", .array(bin.bufferViews)))
        if !extensions.isEmpty { top.append(("extensions", .object(extensions))) }
        return GLTFDocument(json: .object(top), binary: bin.paddedData)
    }
}

/// Capsules (a cylinder with hemispherical caps) as an indexed triangle list with rigid skin weights.
struct CapsuleMesh {
    var positions: [Float] = [], normals: [Float] = [], joints: [Int] = [], weights: [Float] = [], indices: [Int] = []

    /// `radius` nil: from the length (`GLTFExport.radiusPerLength`, clamped).
    mutating func addCapsule(from a: SIMD3<Double>, to b: SIMD3<Double>, joint: Int, radius r: Double? = nil) {
        let d = b - a, length = d.length
        let radius = r ?? min(max(GLTFExport.radiusPerLength * length, GLTFExport.radiusRange.lowerBound), GLTFExport.radiusRange.upperBound)
        let u = length > 1e-9 ? d / length : SIMD3<Double>(0, 1, 0)
        let v = u.anyOrthogonal, w = u.cross(v)
        let sides = GLTFExport.capsuleSides, rings = GLTFExport.capsuleCapRings
        let base = positions.count / 3
        func vertex(_ center: SIMD3<Double>, _ n: SIMD3<Double>) {
            let p = center + n * radius
            positions += [Float(p.x), Float(p.y), Float(p.z)]
            normals += [Float(n.x), Float(n.y), Float(n.z)]
            joints += [joint, 0, 0, 0]
            weights += [1, 0, 0, 0]
        }
        // Rows from the pole at a to the pole at b; the equator appears at a and at b (the cylinder).
        vertex(a, -u)
        var rowAngles: [(SIMD3<Double>, Double)] = []
        for k in 1...rings { rowAngles.append((a, -Double.pi / 2 + Double.pi / 2 * Double(k) / Double(rings))) }
        for k in 0..<rings { rowAngles.append((b, Double.pi / 2 * Double(k) / Double(rings))) }
        for (center, lat) in rowAngles {
            for m in 0..<sides {
                let phi = 2 * Double.pi * Double(m) / Double(sides)
                vertex(center, u * sin(lat) + (v * cos(phi) + w * sin(phi)) * cos(lat))
            }
        }
        vertex(b, u)
        let rows = rowAngles.count
        let top = base + 1 + rows * sides
        // Winding: counter-clockwise seen from outside (glTF front faces).
        for m in 0..<sides {
            let m1 = (m + 1) % sides
            indices += [base, base + 1 + m1, base + 1 + m]
            for r in 0..<(rows - 1) {
                let r0 = base + 1 + r * sides, r1 = r0 + sides
                indices += [r0 + m, r0 + m1, r1 + m, r0 + m1, r1 + m1, r1 + m]
            }
            let last = base + 1 + (rows - 1) * sides
            indices += [last + m, last + m1, top]
        }
    }
}
