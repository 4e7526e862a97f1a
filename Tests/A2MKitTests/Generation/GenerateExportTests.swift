import Foundation
import Testing
@testable import A2MCore
@testable import A2MMotion
@testable import A2MGeneration
@testable import A2MNN
@testable import A2MRetarget
@testable import A2MExport

/// `generate` to every registered format, and onto a user's rig (issue 38 through issue 37's seams): each file
/// read back by a2m's own readers (BVH, JSON, the glTF rig reader and an independent GLB reading with forward
/// kinematics) and by pygltflib where it is installed.
@Suite struct GenerateExportTests {
    /// Largest distance (m) between a joint's world position in a glTF file and a2m's forward kinematics of the
    /// same frame: float rounding of the metre conversion only.
    static let worldTolerance = 1e-5
    /// Largest difference (cm) between the BVH's reading and the JSON's: BVH text keeps 6 significant digits.
    static let bvhTolerance: Float = 2e-3
    /// Largest difference between a float written to a2m JSON and read back (the reader parses through Double,
    /// which can round the shortest form once more: one unit in the last place).
    static let readBackTolerance: Float = 1.2e-7

    static let rig = MotionTestSupport.repoRoot.appendingPathComponent("Tests/A2MKitTests/Fixtures/rigs/test_freebvh.bvh")

    /// Generates `wav` with `formats` (and `steps`) into `dir/name` through the library pipeline.
    static func generate(_ model: GenerationModel, _ wav: URL, formats: [any MotionFormat], into dir: URL,
                         edit: (inout GenerationConfiguration) -> Void = { _ in }) throws -> [GenerationPipeline.GeneratedFile] {
        var c = GenerationConfiguration()
        c.sampling = SamplerOptions(steps: 3, guidance: 2.5, seed: 4)
        c.formats = formats
        c.outputDirectory = dir
        edit(&c)
        return try GenerationPipeline(model: model).generate(files: [wav], configuration: c)
    }

    /// The largest distance between the glTF's joint nodes and `clip`'s forward kinematics (scaled to metres) over
    /// a few keys.
    static func largestWorldError(_ glb: GLBFile, _ clip: MotionClip, metresPerUnit: Double) throws -> Double {
        var worst = 0.0
        for key in [0, clip.frameCount / 3, clip.frameCount - 1] {
            let fromFile = try glb.worldPositions(key: key)
            let ours = clip.worldPositions(frame: key)
            for j in 0..<clip.jointCount {
                let name = clip.skeleton.joints[j].name
                let n = try #require(glb.nodeIndex(name), "no node \(name)")
                worst = max(worst, (fromFile[n] - SIMD3<Double>(ours[j]) * metresPerUnit).length)
            }
        }
        return worst
    }

    /// A .gltf and its .bin packed as one GLB (the buffer's `uri` dropped), for `GLBFile`.
    static func glb(gltf: URL) throws -> GLBFile {
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: gltf)) as? [String: Any])
        var buffers = try #require(json["buffers"] as? [[String: Any]])
        let uri = try #require(buffers[0]["uri"] as? String)
        var bin = Array(try Data(contentsOf: gltf.deletingLastPathComponent().appendingPathComponent(uri)))
        buffers[0].removeValue(forKey: "uri")
        json["buffers"] = buffers
        var text = Array(try JSONSerialization.data(withJSONObject: json))
        while text.count % 4 != 0 { text.append(0x20) }
        while bin.count % 4 != 0 { bin.append(0) }
        var out: [UInt8] = []
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out += $0 } }
        u32(0x4654_6C67); u32(2); u32(12 + 8 + text.count + 8 + bin.count)
        u32(text.count); u32(0x4E4F_534A); out += text
        u32(bin.count); u32(0x004E_4942); out += bin
        return try GLBFile(out)
    }

    static func largest(_ v: SIMD3<Float>) -> Float { max(abs(v.x), abs(v.y), abs(v.z)) }
    static func largest(_ v: SIMD4<Float>) -> Float { max(abs(v.x), abs(v.y), abs(v.z), abs(v.w)) }

    @Test func everyFormatIsWrittenAndReadBack() throws {
        try TinyModel.withLoaded { model, dir in
            let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 2.5)
            let formats: [any MotionFormat] = [BVHFormat(), A2MJSONFormat(), GLTFFormat(binary: true), GLTFFormat(binary: false), VRMAFormat()]
            let files = try Self.generate(model, wav, formats: formats, into: dir.appendingPathComponent("out"))
            #expect(files.map(\.url.lastPathComponent) == ["talk.bvh", "talk.json", "talk.glb", "talk.gltf", "talk.vrma"])
            let out = dir.appendingPathComponent("out")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
                    == ["talk.bin", "talk.bvh", "talk.glb", "talk.gltf", "talk.json", "talk.vrma"])
            // JSON keeps the float bits; the BVH agrees within its text precision.
            let clip = try MotionJSON.read(out.appendingPathComponent("talk.json"))
            let bvh = try BVHReader.read(out.appendingPathComponent("talk.bvh")).clip
            let bvhError = zip(bvh.rootPositions, clip.rootPositions).map { Self.largest($0 - $1) }.max() ?? .infinity
            #expect(bvh.frameCount == clip.frameCount && bvhError < Self.bvhTolerance, "largest root difference \(bvhError) cm")
            // GLB and .gltf + .bin: the same animation, where a2m's FK puts every joint (cm → m).
            let glb = try GLBFile(Array(Data(contentsOf: out.appendingPathComponent("talk.glb"))))
            let gltf = try Self.glb(gltf: out.appendingPathComponent("talk.gltf"))
            for (file, name) in [(glb, "glb"), (gltf, "gltf")] {
                let e = try Self.largestWorldError(file, clip, metresPerUnit: 0.01)
                #expect(e < Self.worldTolerance, "\(name): largest joint distance \(e) m")
            }
            // The rig reader finds the skeleton in each glTF; VRMA maps the humanoid bones.
            for name in ["talk.glb", "talk.gltf"] {
                let rig = try Rig.load(out.appendingPathComponent(name))
                #expect(rig.skeleton.names == model.skeleton.names, "\(name)")
            }
            let vrma = try Rig.load(out.appendingPathComponent("talk.vrma"))
            #expect(vrma.humanoid.missingRequired.isEmpty, "\(vrma.humanoid.missingRequired)")
            // The streamed glTF (frames gathered as generated) has the bytes of the whole clip written at once.
            var c = GenerationConfiguration()
            c.sampling = SamplerOptions(steps: 3, guidance: 2.5, seed: 4)
            let pipeline = GenerationPipeline(model: model)
            let frames = try pipeline.clips([(name: wav.path, features: try pipeline.features(wav))], configuration: c)[0][0]
            let whole = dir.appendingPathComponent("whole.glb")
            try GLTFFormat().write(frames, layout: MotionLayout(skeleton: frames.skeleton), to: OutputFile(url: whole, destination: out.appendingPathComponent("talk.glb"), companions: []))
            #expect(try Data(contentsOf: whole) == Data(contentsOf: out.appendingPathComponent("talk.glb")))
        }
    }

    @Test(.enabled(if: ExportFixtures.python("pygltflib"), "needs pygltflib (pip install pygltflib)"))
    func pygltflibFindsGeneratedGLTFValid() throws {
        try TinyModel.withLoaded { model, dir in
            let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 1.5)
            let out = dir.appendingPathComponent("out")
            _ = try Self.generate(model, wav, formats: [GLTFFormat(binary: true), GLTFFormat(binary: false), VRMAFormat()], into: out)
            _ = try Self.generate(model, wav, formats: [GLTFFormat(binary: true)], into: dir.appendingPathComponent("rigged")) {
                $0.postProcessing.append(RetargetStep(rig: try! Rig.load(Self.rig)))
            }
            for f in ["out/talk.glb", "out/talk.gltf", "out/talk.vrma", "rigged/talk.glb"].map(dir.appendingPathComponent) {
                let r = try ExportFixtures.runPython([ExportFixtures.fixture("pygltflib_check.py").path, f.path] + (f.pathExtension == "vrma" ? ["--vrma"] : []))
                let line = try #require(r.output.split(separator: "\n").first { $0.hasPrefix("A2M_PYGLTFLIB_CHECK ") }, "no result line:\n\(r.output)")
                #expect(r.status == 0, "\(f.lastPathComponent): \(line)")
            }
        }
    }

    /// `--rig`: the retarget step between the foot lock and the writers. Streamed chunk by chunk, it gives the
    /// frames the library's `Retargeter` gives for the whole clip, on the rig's skeleton, in every format.
    /// `skeleton` below a new root joint "Root" at the origin: a rig whose hips are not its root (UE's `root`,
    /// glTF armature nodes), so retargeted hips move by a per-frame translation.
    static func rooted(_ skeleton: Skeleton) throws -> Skeleton {
        var root = skeleton.joints[0]
        root.name = "Root"
        root.offset = .zero
        root.endSite = nil
        var joints = [root]
        for var j in skeleton.joints {
            j.parent = (j.parent ?? -1) + 1
            j.hasPosition = false
            joints.append(j)
        }
        return try Skeleton(joints: joints)
    }

    @Test func retargetingIsAPostProcessOnEveryPath() throws {
        try TinyModel.withLoaded { model, dir in
            let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 2.5)
            let mixamo = try Rig.load(Self.rig)
            // Three rigs: Mixamo's BVH; the same as a Z-up glTF in metres with a random rest rotation on every
            // joint; and Mixamo's hierarchy below an extra root (hips translated per frame, written whole).
            let ue = dir.appendingPathComponent("ue.glb")
            try RetargetCheck.rotatedRestGLB(mixamo.skeleton, rename: { String($0.split(separator: ":").last!) }, seed: 3, to: ue)
            let rooted = Rig(skeleton: try Self.rooted(mixamo.skeleton), unit: .cm, file: "rooted", format: .bvh)
            let pipeline = GenerationPipeline(model: model)
            var base = GenerationConfiguration()
            base.sampling = SamplerOptions(steps: 3, guidance: 2.5, seed: 4)
            let features = [(name: wav.path, features: try pipeline.features(wav))]
            let plain = try pipeline.clips(features, configuration: base)[0][0]
            for (name, rig, fps) in [("mixamo", mixamo, nil), ("mixamo24", mixamo, 24), ("ue", try Rig.load(ue), nil), ("rooted", rooted, nil)] as [(String, Rig, Double?)] {
                let step = RetargetStep(rig: rig)
                #expect(try step.outputLayout(for: MotionLayout(skeleton: model.skeleton)).translatedJoints == (name == "rooted" ? [1] : []))
                // Chunk by chunk in the pipeline = the whole clip through the step, bit for bit.
                var c = base
                c.postProcessing.append(step)
                c.fps = fps
                let chunked = try pipeline.clips(features, configuration: c)[0][0]
                var expected = try MotionPostProcessChain.apply([step], to: plain, layout: MotionLayout(skeleton: model.skeleton))
                if let fps { expected = try expected.resampled(to: fps) }
                #expect(chunked == expected, "\(name): largest rotation difference \(zip(chunked.rotations, expected.rotations).map { Self.largest($0 - $1) }.max() ?? .infinity)")
                let out = dir.appendingPathComponent(name)
                _ = try Self.generate(model, wav, formats: [A2MJSONFormat(units: rig.unit), BVHFormat(units: rig.unit), GLTFFormat()], into: out) {
                    $0.postProcessing.append(step)
                    $0.fps = fps
                }
                // The files hold those frames: the JSON in the rig's unit (the default with a rig), read back within
                // the reader's float rounding.
                let rigged = try MotionJSON.read(out.appendingPathComponent("talk.json"))
                #expect(rigged.skeleton.names == rig.skeleton.names, "\(name)")
                #expect(rigged.skeleton.joints.map(\.offset) == rig.skeleton.joints.map(\.offset), "\(name)")
                let worst = zip(rigged.rotations, chunked.rotations).map { Self.largest($0 - $1) }.max() ?? .infinity
                #expect(rigged.frameCount == chunked.frameCount && worst <= Self.readBackTolerance, "\(name): largest rotation difference \(worst)")
                #expect(rigged.translations.keys.sorted() == chunked.translations.keys.sorted(), "\(name): translated joints differ")
                let glb = try GLBFile(Array(Data(contentsOf: out.appendingPathComponent("talk.glb"))))
                let e = try Self.largestWorldError(glb, rigged, metresPerUnit: rig.unit.metres)
                #expect(e < Self.worldTolerance, "\(name) glb: largest joint distance \(e) m")
                #expect(try BVHReader.read(out.appendingPathComponent("talk.bvh")).clip.skeleton.names == rig.skeleton.names, "\(name)")
            }
        }
    }

    @Test func unitsAndRefusals() throws {
        try TinyModel.withLoaded { model, dir in
            let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 1.5)
            _ = try Self.generate(model, wav, formats: [A2MJSONFormat(), BVHFormat()], into: dir.appendingPathComponent("cm"))
            _ = try Self.generate(model, wav, formats: [A2MJSONFormat(units: .m), BVHFormat(units: .m)], into: dir.appendingPathComponent("m"))
            let cm = try MotionJSON.readWithUnits(dir.appendingPathComponent("cm/talk.json"))
            let m = try MotionJSON.readWithUnits(dir.appendingPathComponent("m/talk.json"))
            #expect(cm.1 == "centimeters" && m.1 == "meters")
            let worst = zip(cm.0.rootPositions, m.0.rootPositions).map { Self.largest($0 * 0.01 - $1) }.max() ?? .infinity
            #expect(worst < 1e-6, "largest root difference \(worst) m")
            #expect(m.0.rotations == cm.0.rotations)
            let bvhM = try BVHReader.read(dir.appendingPathComponent("m/talk.bvh")).clip
            #expect(abs(bvhM.skeleton.restHeight - model.skeleton.restHeight * 0.01) < 1e-4)
            // VRMA of a retargeted glTF-style rig (rest rotations) is refused before any work; nothing is written.
            var layout = MotionLayout(skeleton: model.skeleton)
            layout.restRotations = Array(repeating: SIMD4(0, 0.7071068, 0, 0.7071068), count: model.skeleton.jointCount)
            #expect(throws: GLTFExportError.self) { try VRMAFormat().check(layout) }
            // A rig with no legs: the retarget step names the rig and the bones before any work; nothing is written.
            let blob = dir.appendingPathComponent("blob.bvh")
            try Data("""
                HIERARCHY
                ROOT Blob
                {
                  OFFSET 0 0 0
                  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
                  JOINT Thing
                  {
                    OFFSET 0 10 0
                    CHANNELS 3 Zrotation Xrotation Yrotation
                    End Site
                    {
                      OFFSET 0 5 0
                    }
                  }
                }
                MOTION
                Frames: 1
                Frame Time: 0.0333333
                0 0 0 0 0 0 0 0 0

                """.utf8).write(to: blob)
            let bad = try Rig.load(blob)
            let out = dir.appendingPathComponent("bad")
            #expect { _ = try Self.generate(model, wav, formats: [GLTFFormat()], into: out) { $0.postProcessing.append(RetargetStep(rig: bad)) } }
                throws: { "\($0)".contains(blob.path) && "\($0)".contains("hips") }
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    /// The command line: every format, `--units`, `--rig`, and what is refused before any work.
    @Test func theCommandLineWritesEveryFormatAndRetargets() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 1.5)
        func generate(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["generate", wav.path, "--model", model.path, "--steps", "3", "--quiet"] + args)
        }
        func files(_ d: URL) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []).sorted() }
        let a = dir.appendingPathComponent("a")
        let r = try generate(["--format", "glb,gltf,vrma,bvh", "--units", "m", "--out", a.path])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(files(a) == ["talk.bin", "talk.bvh", "talk.glb", "talk.gltf", "talk.vrma"])
        let metres = try BVHReader.read(a.appendingPathComponent("talk.bvh")).clip
        #expect(abs(metres.skeleton.restHeight - Skeleton.a2mDefault.restHeight * 0.01) < 1e-4, "\(metres.skeleton.restHeight)")
        #expect(try Rig.load(a.appendingPathComponent("talk.vrma")).humanoid.missingRequired.isEmpty)

        let b = dir.appendingPathComponent("b")
        let rigged = try generate(["--format", "bvh,glb", "--rig", Self.rig.path, "--out", b.path])
        try #require(rigged.status == 0, "\(rigged.stderr)")
        let rig = try Rig.load(Self.rig)
        #expect(try BVHReader.read(b.appendingPathComponent("talk.bvh")).clip.skeleton.names == rig.skeleton.names)
        #expect(try Rig.load(b.appendingPathComponent("talk.glb")).skeleton.names == rig.skeleton.names)

        // Refused before any work, with nothing written: each message names what is wrong.
        let c = dir.appendingPathComponent("c")
        let blob = dir.appendingPathComponent("blob.bvh")
        try Data("HIERARCHY\nROOT Blob\n{\n OFFSET 0 0 0\n CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n End Site\n {\n  OFFSET 0 5 0\n }\n}\nMOTION\nFrames: 1\nFrame Time: 0.0333333\n0 0 0 0 0 0\n".utf8).write(to: blob)
        for (args, words) in [(["--format", "vrma", "--rig", Self.rig.path], ["vrma", "--rig"]),
                              (["--format", "glb", "--units", "m"], ["--units", "metres"]),
                              (["--map", blob.path], ["--map", "--rig"]),
                              (["--format", "json,threejs"], [".json", "--json-format threejs"]),
                              (["--rig", blob.path], [blob.path, "hips"])] {
            let bad = try generate(args + ["--out", c.path])
            #expect(bad.status != 0 && words.allSatisfy { bad.stderr.contains($0) }, "\(args): \(bad.stderr)")
            #expect(!FileManager.default.fileExists(atPath: c.path), "\(args) left \(files(c))")
        }
        // The rig is an input of the run: an output that would replace it is refused, even with --overwrite.
        let d = dir.appendingPathComponent("d")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        let ownRig = d.appendingPathComponent("talk.bvh")
        try FileManager.default.copyItem(at: Self.rig, to: ownRig)
        let before = try Data(contentsOf: ownRig)
        let clash = try generate(["--rig", ownRig.path, "--out", d.path, "--overwrite"])
        #expect(clash.status != 0 && clash.stderr.contains(ownRig.path), "\(clash.stderr)")
        #expect(try Data(contentsOf: ownRig) == before)
        #expect(files(d) == ["talk.bvh"])
    }
}
