import A2MAudio
import A2MCore
import Foundation

/// Speech from the espeak-ng command-line synthesizer (https://github.com/espeak-ng/espeak-ng), run through
/// `Process`: `espeak-ng -b 1 -v LANG+VARIANT -s RATE -p PITCH -a AMPLITUDE -g GAP -w OUT.wav TEXT`.
/// espeak-ng is deterministic: the same arguments and version give the same samples, which keeps the corpus
/// byte-identical for a seed (on one espeak-ng version; the manifest records it).
struct EspeakSynthesizer {
    let executable: URL
    let version: String

    /// Finds espeak-ng on PATH and reads its version line.
    init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init)
        guard let found = dirs.map({ URL(fileURLWithPath: $0).appendingPathComponent("espeak-ng") })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CorpusError.espeakMissing(searched: path)
        }
        executable = found
        let (status, out, err) = try EspeakSynthesizer.run(found, ["--version"])
        guard status == 0 else { throw CorpusError.espeakFailed(voice: "-", status: status, message: err) }
        // "eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/..." — keep the version, not the install path,
        // so the manifest is the same on every machine with the same espeak-ng.
        let line = out.split(separator: "\n").first.map(String.init) ?? ""
        version = (line.range(of: "Data at:").map { String(line[..<$0.lowerBound]) } ?? line).trimmingCharacters(in: .whitespaces)
    }

    /// Parameters of one espeak-ng call.
    struct Request {
        var voice: String        // "en+m3"
        var wordsPerMinute: Int  // -s, 80...450
        var pitch: Int           // -p, 0...99
        var amplitude: Int       // -a, 0...200
        var wordGap: Int         // -g, units of 10 ms
        var text: String
    }

    /// Runs espeak-ng writing to `out` (a scratch file, removed afterwards) and decodes it.
    func synthesize(_ r: Request, output out: URL) throws -> (samples: [Float], sampleRate: Int) {
        defer { try? FileManager.default.removeItem(at: out) }
        let args = ["-b", "1", "-v", r.voice, "-s", "\(r.wordsPerMinute)", "-p", "\(r.pitch)", "-a", "\(r.amplitude)",
                    "-g", "\(r.wordGap)", "-w", out.path, r.text]
        let (status, _, err) = try EspeakSynthesizer.run(executable, args)
        guard status == 0, err.isEmpty else {
            throw CorpusError.espeakFailed(voice: r.voice, status: status, message: err.isEmpty ? "no message" : err)
        }
        do {
            return try PCM16WAV.decode(Data(contentsOf: out))
        } catch {
            throw CorpusError.badSpeechOutput(voice: r.voice, reason: "\(error)")
        }
    }

    private static func run(_ exe: URL, _ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        let outPipe = Pipe(), errPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw CorpusError.espeakFailed(voice: args.first ?? "", status: -1, message: "cannot start \(exe.path): \(error.localizedDescription)")
        }
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self),
                String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
