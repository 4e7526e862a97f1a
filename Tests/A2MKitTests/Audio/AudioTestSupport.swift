import Foundation
import CFFTW
import Testing
@testable import A2MAudio

/// Helpers shared by the Audio suites: fixture access, temporary directories, WAV bytes, sox.
enum AudioFixtures {
    static func url(_ name: String, _ ext: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures/audio"),
                     "missing fixture Fixtures/audio/\(name).\(ext); run make_fixtures.py")
    }

    static func npy(_ name: String) throws -> FeatureMatrix {
        try NumpyFile.read(contentsOf: url(name, "npy"))
    }

    /// 0.5·sin(2π·440·t) for 1 s, computed in Double and stored as Float, as make_fixtures.py does.
    static func sine(sampleRate sr: Int, frequency: Double = 440, seconds: Double = 1, amplitude: Double = 0.5) -> [Float] {
        (0..<Int(Double(sr) * seconds)).map { Float(amplitude * sin(2 * Double.pi * frequency * (Double($0) / Double(sr)))) }
    }
}

extension AudioFixtures {
    /// A fresh directory under the system's temporary directory, removed by the caller's `defer`.
    static func makeTempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-audio-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Canonical RIFF/WAVE bytes: 16-bit PCM (format 1) or 32-bit float (format 3), interleaved.
    static func wavBytes(int16 samples: [Int16], sampleRate: Int, channels: Int = 1) -> Data {
        var payload = Data()
        for s in samples { withUnsafeBytes(of: s.littleEndian) { payload.append(contentsOf: $0) } }
        return wavContainer(payload: payload, format: 1, bits: 16, sampleRate: sampleRate, channels: channels)
    }

    static func wavBytes(float32 samples: [Float], sampleRate: Int, channels: Int = 1) -> Data {
        var payload = Data()
        for s in samples { withUnsafeBytes(of: s.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
        return wavContainer(payload: payload, format: 3, bits: 32, sampleRate: sampleRate, channels: channels)
    }

    private static func wavContainer(payload: Data, format: UInt16, bits: UInt16, sampleRate: Int, channels: Int) -> Data {
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        let blockAlign = UInt16(channels) * bits / 8
        d.append(Data("RIFF".utf8)); u32(UInt32(36 + payload.count)); d.append(Data("WAVE".utf8))
        d.append(Data("fmt ".utf8)); u32(16); u16(format); u16(UInt16(channels)); u32(UInt32(sampleRate))
        u32(UInt32(sampleRate) * UInt32(blockAlign)); u16(blockAlign); u16(bits)
        d.append(Data("data".utf8)); u32(UInt32(payload.count)); d.append(payload)
        return d
    }

    /// The `a2m` binary built next to the test bundle (the command-line suites run it as a user would).
    static func a2mBinary() throws -> URL {
        let url = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("a2m")
        try #require(FileManager.default.isExecutableFile(atPath: url.path), "a2m binary not found at \(url.path)")
        return url
    }

    /// Runs a tool (sox, the a2m binary) and returns its exit status and stderr.
    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Runs sox and requires success (the audio formats under test are made by sox, not by a2m).
    static func sox(_ args: [String]) throws {
        let r = try run("sox", args)
        try #require(r.status == 0, "sox \(args.joined(separator: " ")) failed: \(r.stderr)")
    }

    /// Frequency (Hz) of the largest DFT bin of `samples` at `sampleRate`, Hann-windowed.
    static func spectralPeak(_ samples: [Float], sampleRate: Int) throws -> Double {
        var cfg = AudioFeatureConfig()
        cfg.sampleRate = sampleRate
        cfg.nFFT = samples.count - samples.count % 2
        cfg.hopLength = cfg.nFFT
        cfg.nMels = 1
        let n = cfg.nFFT
        let window = LogMelExtractor.periodicHann(length: n, paddedTo: n)
        let plan = FFTPlan.realToComplex(size: n)
        var input = (0..<n).map { samples[$0] * window[$0] }
        var spectrum = [Float](repeating: 0, count: 2 * (n / 2 + 1))
        input.withUnsafeMutableBufferPointer { i in
            spectrum.withUnsafeMutableBytes { s in
                plan.execute(i.baseAddress!, s.baseAddress!.assumingMemoryBound(to: fftwf_complex.self))
            }
        }
        var best = 0
        var bestPower: Float = -1
        for k in 0...(n / 2) {
            let p = spectrum[2 * k] * spectrum[2 * k] + spectrum[2 * k + 1] * spectrum[2 * k + 1]
            if p > bestPower { bestPower = p; best = k }
        }
        return Double(best) * Double(sampleRate) / Double(n)
    }
}
