import A2MAudio
import A2MCore
import Foundation

/// An audio file embedded in the player as a `data:` URI: the original bytes, untouched, with their MIME type.
public struct ViewerAudio: Sendable, Equatable {
    public var name: String
    var mimeType: String
    public var bytes: Data

    public init(name: String, mimeType: String, bytes: Data) {
        self.name = name
        self.mimeType = mimeType
        self.bytes = bytes
    }

    /// Reads `url` and identifies the container by its magic bytes (the extension can lie); browsers play
    /// WAV, FLAC, Ogg (Vorbis/Opus) and MP3 from a data URI.
    public static func load(from url: URL) throws -> ViewerAudio {
        let data: Data
        do { data = try InputFile.read(url) } catch {
            throw ViewerError.unreadableFile(path: url.path, reason: error.reason)
        }
        guard let mime = mimeType(of: data) else {
            throw ViewerError.unsupportedAudio(path: url.path,
                reason: "expected a WAV (RIFF/WAVE), FLAC, Ogg or MP3 file; the first bytes match none of them")
        }
        return ViewerAudio(name: url.lastPathComponent, mimeType: mime, bytes: data)
    }

    /// `load(from:)`, or, for a file browsers cannot play from a data URI (AIFF, CAF, ...), the audio decoded by
    /// libsndfile (downmixed to mono) as 16-bit WAV. `a2m generate --view` accepts every input `generate` does.
    public static func playable(from url: URL) throws -> ViewerAudio {
        do { return try load(from: url) } catch ViewerError.unsupportedAudio {
            let signal = try AudioFile.load(url)
            return ViewerAudio(name: url.deletingPathExtension().lastPathComponent + ".wav", mimeType: "audio/wav",
                               bytes: PCM16WAV.encode(signal.samples, sampleRate: signal.sampleRate))
        }
    }

    static func mimeType(of d: Data) -> String? {
        let b = [UInt8](d.prefix(12))
        func ascii(_ s: String, at o: Int) -> Bool { b.count >= o + s.utf8.count && Array(b[o..<o + s.utf8.count]) == Array(s.utf8) }
        if ascii("RIFF", at: 0) && ascii("WAVE", at: 8) { return "audio/wav" }
        if ascii("fLaC", at: 0) { return "audio/flac" }
        if ascii("OggS", at: 0) { return "audio/ogg" }
        if ascii("ID3", at: 0) { return "audio/mpeg" }
        // MPEG audio frame sync: 11 set bits, layer ≠ 0 (ADTS AAC has layer 0 and is not MP3).
        if b.count >= 2, b[0] == 0xFF, b[1] & 0xE0 == 0xE0, b[1] & 0x06 != 0 { return "audio/mpeg" }
        return nil
    }
}
