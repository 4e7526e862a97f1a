import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import A2MView

/// Test inputs for the viewer: a small synthetic figure and a sine WAV, both computed here.
enum ViewerFixtures {
    /// A 9-point figure (pelvis, spine, head, two arms, two legs, head end site) whose arms swing and root
    /// walks along +X, at `fps` for `frames` frames. Positions are computed in closed form, so they are the
    /// truth the page's drawing is checked against.
    static func figure(name: String = "synthetic", fps: Double = 30, frames: Int = 90, phase: Double = 0) throws -> ViewerTrack {
        let names = ["Hips", "Spine", "Head", "LeftArm", "LeftHand", "RightArm", "RightHand", "LeftFoot", "Head_end"]
        let parents = [-1, 0, 1, 1, 3, 1, 5, 0, 2]
        var pos = [Float]()
        for f in 0..<frames {
            let t = Double(f) / fps, a = sin(2 * .pi * t + phase)
            let root = SIMD3(20 * t, 95 + 2 * sin(4 * .pi * t), 0)
            let pts: [SIMD3<Double>] = [
                root, root + [0, 35, 0], root + [0, 60, 2],
                root + [18, 33, 0], root + [18 + 20 * a, 33 - 45 * cos(0.5 * a), 15 * a],
                root + [-18, 33, 0], root + [-18 - 20 * a, 33 - 45 * cos(0.5 * a), -15 * a],
                root + [10, -90, 10 * a], root + [0, 78, 2],
            ]
            for p in pts { pos += [Float(p.x), Float(p.y), Float(p.z)] }
        }
        return try ViewerTrack(name: name, fps: fps, pointNames: names, parents: parents,
                               isEndSite: names.map { $0.hasSuffix("_end") }, positions: pos,
                               metadata: ["model": "synthetic", "guidance": "2.5"])
    }

    /// 16-bit mono PCM WAV of a 440 Hz tone.
    static func sineWAV(seconds: Double, sampleRate: Int = 16000) -> Data {
        let n = Int(seconds * Double(sampleRate))
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + 2 * n)); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(UInt32(sampleRate)); u32(UInt32(2 * sampleRate)); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(UInt32(2 * n))
        for i in 0..<n { u16(UInt16(bitPattern: Int16(8000 * sin(2 * .pi * 440 * Double(i) / Double(sampleRate))))) }
        return d
    }

    static func fixture(_ name: String) throws -> URL {
        guard let dir = Bundle.module.url(forResource: "view", withExtension: nil, subdirectory: "Fixtures") else {
            throw ViewerError.unreadableFile(path: "Fixtures/view", reason: "test resources missing")
        }
        return dir.appendingPathComponent(name)
    }

    static func tempDir(_ tag: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-\(tag)-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Headless Chromium from Debian (`apt-get install chromium`). No WebDriver: `selftestReport` speaks the DevTools
/// protocol over `--remote-debugging-pipe` (JSON messages ending in NUL on fds 3 and 4), only to read one DOM text.
/// Real time, not `--virtual-time-budget`: under virtual time timers run ahead of the audio pipeline, so media
/// never really plays and `seeked` never arrives.
enum Chromium {
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let p = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: p) { return p }
            }
        }
        return nil
    }()
    static var available: Bool { executable != nil }

    /// Flags for running as root with no display and no sound card.
    static func baseArguments(profile: URL) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--mute-audio", "--hide-scrollbars",
         "--autoplay-policy=no-user-gesture-required", "--user-data-dir=\(profile.path)"]
    }

    enum Failure: Error, CustomStringConvertible {
        case notInstalled, protocolError(String), timeout(String)
        var description: String {
            switch self {
            case .notInstalled: return "chromium is not installed"
            case let .protocolError(s): return "DevTools protocol: \(s)"
            case let .timeout(s): return "timed out: \(s)"
            }
        }
    }

    /// Opens `url` in a `width`×`height` headless page and evaluates the JavaScript `expression` every 0.2 s
    /// until it returns a non-empty string (or `timeout` seconds pass); returns it, with Chromium's stderr.
    static func poll(url: String, expression expr: String, width: Int, height: Int,
                                timeout: TimeInterval = 30) throws -> (text: String, stderr: String) {
        guard let exe = executable else { throw Failure.notInstalled }
        let profile = try ViewerFixtures.tempDir("chromium-profile")
        defer { try? FileManager.default.removeItem(at: profile) }
        let errURL = profile.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let toChrome = Pipe(), fromChrome = Pipe()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        // fd 3 = commands in, fd 4 = replies out, as --remote-debugging-pipe expects.
        p.arguments = ["-c", "exec \"$0\" \"$@\" 3<&0 4>&1 </dev/null >/dev/null", exe, "--remote-debugging-pipe",
                       "--window-size=\(width),\(height)"] + baseArguments(profile: profile)
        p.standardInput = toChrome
        p.standardOutput = fromChrome
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        defer {
            if p.isRunning { p.terminate() }
            p.waitUntilExit()
        }
        let stderr = { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = Data(), nextID = 0
        func call(_ method: String, _ params: [String: Any], session: String? = nil) throws -> [String: Any] {
            nextID += 1
            var msg: [String: Any] = ["id": nextID, "method": method, "params": params]
            if let session { msg["sessionId"] = session }
            try toChrome.fileHandleForWriting.write(contentsOf: try JSONSerialization.data(withJSONObject: msg) + Data([0]))
            while true {
                while let nul = buffer.firstIndex(of: 0) {
                    let line = buffer[buffer.startIndex..<nul]
                    buffer = Data(buffer[(nul + 1)...])
                    guard let obj = try JSONSerialization.jsonObject(with: line) as? [String: Any],
                          obj["id"] as? Int == nextID else { continue }
                    if let err = obj["error"] { throw Failure.protocolError("\(method): \(err)") }
                    return obj["result"] as? [String: Any] ?? [:]
                }
                var pfd = pollfd(fd: fromChrome.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
                let ms = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
                guard ms > 0, Glibc.poll(&pfd, 1, ms) > 0 else { throw Failure.timeout("\(method) after \(timeout) s; stderr:\n\(stderr().suffix(1500))") }
                let chunk = fromChrome.fileHandleForReading.availableData
                if chunk.isEmpty { throw Failure.protocolError("chromium exited; stderr:\n\(stderr().suffix(1500))") }
                buffer += chunk
            }
        }
        let target = try call("Target.createTarget", ["url": url, "width": width, "height": height, "newWindow": true])
        guard let targetId = target["targetId"] as? String else { throw Failure.protocolError("no targetId in \(target)") }
        let attached = try call("Target.attachToTarget", ["targetId": targetId, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure.protocolError("no sessionId in \(attached)") }
        while Date() < deadline {
            let r = try call("Runtime.evaluate", ["expression": expr, "returnByValue": true], session: session)
            if let text = (r["result"] as? [String: Any])?["value"] as? String, !text.isEmpty {
                _ = try? call("Browser.close", [:])
                return (text, stderr())
            }
            usleep(200_000)
        }
        throw Failure.timeout("\(expr) stayed empty for \(timeout) s; stderr:\n\(stderr().suffix(1500))")
    }
}
