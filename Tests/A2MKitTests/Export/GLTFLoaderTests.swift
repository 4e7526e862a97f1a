import Foundation
import Testing
@testable import A2MCore
@testable import A2MMotion
@testable import A2MRetarget
@testable import A2MExport

/// a2m's glTF, loaded by third-party loaders run headless: three.js's GLTFLoader + AnimationMixer (Debian
/// `libjs-three` in headless Chromium), Blender's glTF importer (PyPI `bpy`, Blender 4+, or a `blender`
/// binary) and pygltflib. Each compares what it loaded with a2m's forward kinematics or checks validity;
/// each is skipped, saying why, where its tool is missing (docs/formats.md records a run of all of them).
@Suite(.serialized) struct GLTFLoaderTests {
    /// The issue's bound: loaders' world positions within 0.5 cm of a2m's FK.
    static let positionTolerance = 0.005
    static let checkedJoints = ["Head", "LeftHand", "RightHand"]
    static let threeDir = "/usr/share/javascript/three"
    static var threeAvailable: Bool {
        Chromium.available && FileManager.default.fileExists(atPath: threeDir + "/examples/js/loaders/GLTFLoader.js")
    }
    static let hasPygltflib = ExportFixtures.python("pygltflib")
    static let hasBpy = ExportFixtures.python("bpy")

    /// Expected world positions (metres) of the checked joints at `frames`.
    static func expected(_ clip: MotionClip, frames: [Int]) throws -> [String: [[Double]]] {
        var out: [String: [[Double]]] = [:]
        for name in checkedJoints {
            let j = try #require(clip.skeleton.index(of: name))
            out[name] = frames.map { f in let p = clip.worldPositions(frame: f)[j]; return [Double(p.x) * 0.01, Double(p.y) * 0.01, Double(p.z) * 0.01] }
        }
        return out
    }

    @Test(.enabled(if: threeAvailable, "needs chromium and libjs-three (apt-get install chromium libjs-three); .ci/run installs both"))
    func threeJSGLTFLoaderAndAnimationMixerMatchForwardKinematics() throws {
        let clip = ExportFixtures.moving()
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let glb = dir.appendingPathComponent("m.glb")
        try GLTFExport.write(clip, to: glb)
        let frames = [0, 17, clip.frameCount / 2, clip.frameCount - 1]
        let times = frames.map { Double($0) / clip.fps }
        let page = dir.appendingPathComponent("check.html")
        try Self.threePage(glb: Data(contentsOf: glb), joints: Self.checkedJoints, times: times).write(to: page, atomically: true, encoding: .utf8)
        let (text, stderr) = try Chromium.poll(url: page.absoluteString, expression: "document.getElementById('result').textContent", width: 400, height: 300)
        struct Report: Decodable { var error: String?; var revision: String; var bones: Int; var skinned: Int; var duration: Double; var positions: [String: [[Double]]] }
        let r = try JSONDecoder().decode(Report.self, from: Data(text.utf8))
        try #require(r.error == nil, "three.js: \(r.error ?? "") \(stderr.suffix(2000))")
        #expect(r.bones == clip.jointCount)
        #expect(r.skinned == 1)
        #expect(abs(r.duration - clip.duration) < 1e-5)
        let want = try Self.expected(clip, frames: frames)
        var worst = 0.0
        for name in Self.checkedJoints {
            for (k, p) in try #require(r.positions[name]).enumerated() {
                for c in 0..<3 { worst = max(worst, abs(p[c] - want[name]![k][c])) }
            }
        }
        print("three.js r\(r.revision) GLTFLoader + AnimationMixer: \(r.bones) bones, max difference from a2m FK \(worst) m over \(frames.count) times")
        #expect(worst < Self.positionTolerance, "three.js positions differ from a2m's FK by \(worst) m")
    }

    /// A page that loads the GLB (embedded) with three.js's GLTFLoader, plays its animation with an AnimationMixer,
    /// and writes the world positions of `joints` at `times` into #result.
    static func threePage(glb: Data, joints: [String], times: [Double]) -> String {
        """
        <!doctype html><html><body><pre id="result"></pre>
        <script src="file://\(threeDir)/build/three.min.js"></script>
        <script src="file://\(threeDir)/examples/js/loaders/GLTFLoader.js"></script>
        <script>
        const out = document.getElementById('result');
        try {
          const b64 = "\(glb.base64EncodedString())";
          const bin = Uint8Array.from(atob(b64), c => c.charCodeAt(0)).buffer;
          new THREE.GLTFLoader().parse(bin, '', gltf => {
            const scene = gltf.scene, names = \(String(data: try! JSONSerialization.data(withJSONObject: joints), encoding: .utf8)!);
            let bones = 0, skinned = 0;
            scene.traverse(o => { if (o.isBone) bones++; if (o.isSkinnedMesh) skinned++; });
            const clip = gltf.animations[0], mixer = new THREE.AnimationMixer(scene);
            // Played once and held at the end, so t = duration shows the last frame (a looping action wraps to 0).
            const action = mixer.clipAction(clip);
            action.setLoop(THREE.LoopOnce);
            action.clampWhenFinished = true;
            action.play();
            const positions = {};
            for (const n of names) positions[n] = [];
            for (const t of \(times)) {
              mixer.setTime(t);
              scene.updateMatrixWorld(true);
              for (const n of names) {
                const v = new THREE.Vector3();
                scene.getObjectByName(THREE.PropertyBinding.sanitizeNodeName(n)).getWorldPosition(v);
                positions[n].push([v.x, v.y, v.z]);
              }
            }
            out.textContent = JSON.stringify({revision: THREE.REVISION, bones, skinned, duration: clip.duration, positions});
          }, e => { out.textContent = JSON.stringify({error: String(e), revision: THREE.REVISION, bones: 0, skinned: 0, duration: 0, positions: {}}); });
        } catch (e) {
          out.textContent = JSON.stringify({error: String(e), revision: '', bones: 0, skinned: 0, duration: 0, positions: {}});
        }
        </script></body></html>
        """
    }

    @Test(.enabled(if: hasPygltflib, "needs pygltflib (pip install pygltflib)"))
    func pygltflibFindsTheGLBAndGLTFAndVRMAValid() throws {
        let clip = try ExportFixtures.wave
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["w.glb", "w.gltf", "w.vrma"].map { dir.appendingPathComponent($0) }
        try GLTFExport.write(clip, to: files[0])
        try GLTFExport.write(clip, to: files[1])
        try VRMAnimationExport.write(clip, unit: .cm, to: files[2])
        for f in files {
            let r = try ExportFixtures.runPython([ExportFixtures.fixture("pygltflib_check.py").path, f.path] + (f.pathExtension == "vrma" ? ["--vrma"] : []))
            let line = try #require(r.output.split(separator: "\n").first { $0.hasPrefix("A2M_PYGLTFLIB_CHECK ") }, "no result line:\n\(r.output)")
            print("pygltflib \(f.lastPathComponent): \(line)")
            #expect(r.status == 0, "\(line)")
        }
    }

    @Test(.enabled(if: hasBpy || BlenderCheckTests.blender != nil, "needs Blender 4+: pip install bpy (or a blender binary); see docs/formats.md for a recorded run"))
    func blenderImportsTheGLBWithTheSameBonesFramesAndPositions() throws {
        let clip = ExportFixtures.moving()
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let glb = dir.appendingPathComponent("m.glb"), expectedURL = dir.appendingPathComponent("expected.json")
        try GLTFExport.write(clip, to: glb)
        let frames = [0, 17, clip.frameCount / 2, clip.frameCount - 1]
        let expected: [String: Any] = ["jointCount": clip.jointCount, "frameCount": clip.frameCount, "fps": clip.fps, "frames": frames,
                                       "positions": try Self.expected(clip, frames: frames)]
        try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: expectedURL)
        let script = ExportFixtures.fixture("blender_gltf_check.py").path
        let r: (status: Int32, output: String)
        if Self.hasBpy {
            r = try ExportFixtures.runPython([script, glb.path, expectedURL.path])
        } else {
            r = try ExportFixtures.run(BlenderCheckTests.blender!, ["--background", "--factory-startup", "--python-exit-code", "1",
                                                                   "--python", script, "--", glb.path, expectedURL.path])
        }
        let line = try #require(r.output.split(separator: "\n").first { $0.hasPrefix("A2M_BLENDER_GLTF_CHECK ") }, "no result line:\n\(r.output.suffix(3000))")
        print("blender glTF check: \(line)")
        #expect(r.status == 0, "\(line)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.dropFirst("A2M_BLENDER_GLTF_CHECK ".count).utf8)) as? [String: Any])
        #expect(result["jointCount"] as? Int == clip.jointCount)
        #expect((result["maxError"] as? [String: Double]).map { Set($0.keys) } == Set(Self.checkedJoints))
    }
}
