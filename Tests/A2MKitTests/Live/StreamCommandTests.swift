import Foundation
import Testing
@testable import A2MAudio
@testable import A2MMotion

/// `a2m stream`, run as the built binary with the tiny untrained model: a file, a WAV stream and raw PCM on
/// standard input, bad input, and VMC to a real OSC peer.
@Suite struct StreamCommandTests {
    /// Largest |‖q‖ − 1| of a quaternion in a JSON line (Float32 printed shortest).
    static let normTol: Float = 1e-4

    /// Runs `a2m stream` with `stdin` fed from `input` (or nothing); returns status, stdout and stderr.
    static func stream(_ args: [String], stdin input: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = try AudioFixtures.a2mBinary()
        p.arguments = ["stream"] + args + ["--steps", "2"]
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        // Writing and reading on separate threads: a large input or output must not fill a pipe and stall both.
        let writer = Thread {
            if let input { try? inp.fileHandleForWriting.write(contentsOf: input) }
            try? inp.fileHandleForWriting.close()
        }
        writer.start()
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while errReader.isExecuting || !errReader.isFinished { usleep(1000) }
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// The frame lines of a JSON-lines stream, after checking its skeleton line.
    static func frames(_ stdout: String, joints: Int) throws -> [[String: Any]] {
        let lines = stdout.split(separator: "\n").map(String.init)
        try #require(!lines.isEmpty, "no output")
        let head = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(head["type"] as? String == "skeleton" && head["fps"] as? Double == 30 && head["units"] as? String == "cm")
        #expect((head["joints"] as? [String])?.count == joints)
        return try lines.dropFirst().map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func fileInputGivesOneLinePerFrameAndIsDeterministic() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 2.5)
        let r = try Self.stream([wav.path, "--model", model.path, "--quiet"])
        try #require(r.status == 0, "a2m stream failed: \(r.stderr)")
        let frames = try Self.frames(r.stdout, joints: Skeleton.a2mBody.jointCount)
        #expect(frames.count == 75, "2.5 s at 30 fps is 75 frames, got \(frames.count)")
        var worst: Float = 0
        for (f, line) in frames.enumerated() {
            #expect(line["type"] as? String == "frame" && line["frame"] as? Int == f)
            #expect(abs((line["time"] as? Double ?? -1) - Double(f) / 30) < 1e-9)
            let rotations = try #require(line["rotations"] as? [[Double]])
            #expect(rotations.count == Skeleton.a2mBody.jointCount)
            for q in rotations { worst = max(worst, abs(Float(q.reduce(0) { $0 + $1 * $1 }.squareRoot()) - 1)) }
        }
        #expect(worst < Self.normTol, "largest |‖q‖ − 1| \(worst)")
        let again = try Self.stream([wav.path, "--model", model.path, "--quiet"])
        #expect(again.stdout == r.stdout, "same seed and input, different output")
        let other = try Self.stream([wav.path, "--model", model.path, "--quiet", "--seed", "1"])
        #expect(other.stdout != r.stdout, "--seed ignored")
        // Without --quiet the latency report goes to stderr, never into the JSON lines.
        let loud = try Self.stream([wav.path, "--model", model.path])
        #expect(loud.stdout == r.stdout && loud.stderr.contains("latency"), "\(loud.stderr)")
    }

    /// A WAV stream and the same audio as raw PCM on standard input give the frames of the file.
    @Test func standardInputWAVAndRawPCM() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 2)
        let file = try Self.stream([wav.path, "--model", model.path, "--quiet"])
        try #require(file.status == 0, "\(file.stderr)")
        let bytes = try Data(contentsOf: wav)
        let piped = try Self.stream(["-", "--model", model.path, "--quiet"], stdin: bytes)
        try #require(piped.status == 0, "a2m stream - (WAV) failed: \(piped.stderr)")
        #expect(try Self.frames(piped.stdout, joints: 22).count == 60)
        #expect(piped.stdout == file.stdout, "the WAV stream and the file give different motion")
        let raw = bytes.dropFirst(44) // TinyModel's WAV: a 44-byte canonical header, then 16-bit mono PCM
        let pcm = try Self.stream(["-", "--rate", "16000", "--channels", "1", "--model", model.path, "--quiet"], stdin: Data(raw))
        try #require(pcm.status == 0, "a2m stream - (raw PCM) failed: \(pcm.stderr)")
        #expect(pcm.stdout == file.stdout, "raw PCM and the file give different motion")
    }

    @Test func badInputGetsOneClearError() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let garbage = try Self.stream(["-", "--model", model.path, "--quiet"], stdin: Data("this is not audio at all".utf8))
        #expect(garbage.status != 0 && garbage.stderr.contains("<stdin>"), "\(garbage.stderr)")
        #expect(garbage.stdout.isEmpty || garbage.stdout.split(separator: "\n").count <= 1)
        let noOutput = try Self.stream(["-", "--model", model.path, "--no-json"], stdin: Data())
        #expect(noOutput.status != 0 && noOutput.stderr.contains("--no-json without --vmc"), "\(noOutput.stderr)")
        let badPeer = try Self.stream(["-", "--model", model.path, "--vmc", "localhost"], stdin: Data())
        #expect(badPeer.status != 0 && badPeer.stderr.contains("HOST:PORT"), "\(badPeer.stderr)")
    }

    /// `--vmc` end to end: a real OSC peer (python-osc) receives one bundle per frame, and with --no-json standard
    /// output stays empty.
    @Test func vmcReachesAnOSCPeer() throws {
        guard OSCPeer.available else {
            print("skipped: python-osc is not installed (pip install python-osc); VMCTests' Swift decoding still runs")
            return
        }
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 1.5)
        let peer = try OSCPeer(count: 45, timeout: 10)
        let port = peer.port
        let r = try Self.stream([wav.path, "--model", model.path, "--quiet", "--vmc", "127.0.0.1:\(port)", "--no-json"])
        let received = try peer.received()
        try #require(r.status == 0, "a2m stream --vmc failed: \(r.stderr)")
        #expect(r.stdout.isEmpty, "--no-json still wrote to standard output")
        #expect(received.count == 45, "python-osc received \(received.count) of 45 bundles")
        for (f, b) in received.enumerated() {
            let messages = try #require(b["messages"] as? [[Any]])
            #expect(messages.first?.first as? String == "/VMC/Ext/Root/Pos")
            #expect(messages.last?.first as? String == "/VMC/Ext/OK")
            let bones = messages.filter { $0[0] as? String == "/VMC/Ext/Bone/Pos" }
            let names = Set(bones.compactMap { $0[1] as? String })
            // [address, name, p.x, p.y, p.z, q.x, q.y, q.z, q.w]: every rotation a unit quaternion.
            var worst = 0.0
            for m in bones {
                let q: [Double] = (5...8).map { (m[$0] as! NSNumber).doubleValue }
                let norm: Double = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
                worst = max(worst, abs(norm - 1))
            }
            #expect(worst < Double(Self.normTol), "frame \(f): largest |‖q‖ − 1| \(worst)")
            #expect(names.isSuperset(of: ["Hips", "Spine", "Head", "LeftUpperArm", "RightHand", "LeftFoot"]), "\(names)")
            #expect(names.isSubset(of: unityHumanBodyBones), "\(names.subtracting(unityHumanBodyBones))")
            let t = messages.first { $0[0] as? String == "/VMC/Ext/T" }.map { ($0[1] as! NSNumber).doubleValue }
            #expect(abs((t ?? -1) - Double(f) / 30) < 1e-5, "frame \(f): /VMC/Ext/T \(String(describing: t))")
        }
    }
}
