import Foundation
import Testing
@testable import A2MAudio

/// Each bad input gives one typed error whose message names the file and the problem.
@Suite struct AudioErrorTests {
    static func expectError(_ url: URL, _ check: (AudioError) -> Bool, mentions words: [String]) {
        do {
            _ = try AudioFeatures.extract(url: url)
            Issue.record("\(url.path): expected an error")
        } catch let e as AudioError {
            #expect(check(e), "unexpected case: \(e)")
            let text = e.description
            #expect(text.contains(url.path), "message does not name the file: \(text)")
            for w in words { #expect(text.contains(w), "message lacks '\(w)': \(text)") }
        } catch {
            Issue.record("not an AudioError: \(error)")
        }
    }

    @Test func missingFile() {
        Self.expectError(URL(fileURLWithPath: "/nonexistent-a2m/voice.wav"), { if case .fileNotFound = $0 { true } else { false } }, mentions: ["no such file"])
    }

    @Test func nonAudioFile() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("notes.wav")
        try Data("these are not samples\n".utf8).write(to: url)
        Self.expectError(url, { if case .unreadable = $0 { true } else { false } }, mentions: ["not a readable audio file"])
    }

    @Test func directoryIsNotAudio() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.expectError(dir, { if case .notAFile = $0 { true } else { false } }, mentions: ["directory"])
    }

    @Test func emptyFile() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("empty.wav")
        try AudioFixtures.wavBytes(int16: [], sampleRate: 22050).write(to: url)
        Self.expectError(url, { $0 == .empty(file: url.path) }, mentions: ["no sample frames"])
    }

    /// 500 samples at 22050 Hz become 348 at 15360 Hz, less than one 1024-sample window.
    @Test func shorterThanOneFrame() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("blip.wav")
        try AudioFixtures.wavBytes(int16: [Int16](repeating: 1000, count: 500), sampleRate: 22050).write(to: url)
        Self.expectError(url, { $0 == .tooShort(file: url.path, samples: 349, required: 1024, sampleRate: 15360) }, mentions: ["too short", "1024"])
    }

    @Test func nanSamples() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("nan.wav")
        var x = AudioFixtures.sine(sampleRate: 22050)
        x[11025] = .nan
        try AudioFixtures.wavBytes(float32: x, sampleRate: 22050).write(to: url)
        Self.expectError(url, { $0 == .nonFiniteSample(file: url.path, index: 11025, seconds: 0.5) }, mentions: ["NaN", "0.500 s"])
    }

    @Test func truncatedHeader() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("cut.wav")
        try AudioFixtures.wavBytes(int16: [Int16](repeating: 100, count: 4000), sampleRate: 22050).prefix(30).write(to: url)
        Self.expectError(url, { if case .unreadable = $0 { true } else { false } }, mentions: ["not a readable audio file"])
    }

    /// A FLAC file cut in half: the header promises more frames than the data holds.
    @Test func truncatedFlac() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let flac = dir.appendingPathComponent("full.flac"), cut = dir.appendingPathComponent("cut.flac")
        try AudioFixtures.sox([AudioFixtures.url("speech_multivoice", "wav").path, flac.path])
        let data = try Data(contentsOf: flac)
        try data.prefix(data.count / 2).write(to: cut)
        Self.expectError(cut, { if case .truncated(_, let got, 63986) = $0 { got < 63986 } else { false } }, mentions: ["truncated", "of the 63986"])
    }

    /// A damaged header claiming 10 Hz is refused before anything is resampled.
    @Test func implausibleSampleRate() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("slow.wav")
        try AudioFixtures.wavBytes(int16: [Int16](repeating: 5, count: 4000), sampleRate: 10).write(to: url)
        Self.expectError(url, { $0 == .invalidSampleRate(file: url.path, rate: 10) }, mentions: ["10 Hz", "1000...768000"])
    }

    @Test func inMemorySignalsAreCheckedToo() throws {
        let ex = try LogMelExtractor(.model)
        #expect(throws: AudioError.nonFiniteSample(file: "<memory>", index: 3, seconds: 3.0 / 15360)) {
            try ex.logMel(AudioSignal(samples: [0, 0, 0, .infinity] + [Float](repeating: 0, count: 2000), sampleRate: 15360))
        }
        #expect(throws: AudioError.invalidSampleRate(file: "<memory>", rate: 0)) {
            try Resampler.resample([1, 2, 3], from: 0, to: 15360)
        }
    }
}
