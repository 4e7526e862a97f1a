import Foundation
import Testing

/// A real OSC peer for the VMC tests: Tests/A2MKitTests/Fixtures/live/vmc_receiver.py, python-osc's own parser
/// on a UDP port of 127.0.0.1. Start it, send to `port`, then `received()` for what it parsed.
struct OSCPeer {
    let process: Process
    let output: FileHandle
    let port: Int

    /// Whether python-osc is installed (CI installs it; the tests that need it say when they are skipped).
    static var available: Bool {
        guard let probe = try? AudioFixtures.run("python3", ["-c", "import pythonosc"]) else { return false }
        return probe.status == 0
    }

    /// Starts the receiver for `count` bundles, giving up `timeout` seconds after the last one.
    init(count: Int, timeout: Double) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/live/vmc_receiver.py").standardized
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "\(count)", "\(timeout)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        output = pipe.fileHandleForReading
        var header = Data()
        while !header.contains(UInt8(ascii: "\n")) {
            let b = output.readData(ofLength: 1)
            try #require(!b.isEmpty, "the OSC receiver did not start")
            header += b
        }
        port = try #require(Int(String(decoding: header, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// The bundles received: {"arrival": s, "bundle": Bool, "messages": [[address, argument, ...], ...]}.
    func received() throws -> [[String: Any]] {
        let rest = output.readDataToEndOfFile()
        process.waitUntilExit()
        return try #require(try JSONSerialization.jsonObject(with: rest) as? [[String: Any]])
    }
}
