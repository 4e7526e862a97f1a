import A2MAudio
import Foundation

/// Errors of live audio input, each naming the stream and what was expected.
public enum LiveInputError: Error, CustomStringConvertible, Equatable {
    case notAudio(source: String, found: String)
    case unsupportedWAV(source: String, reason: String)
    case rateMismatch(source: String, flag: Int, header: Int)
    case channelMismatch(source: String, flag: Int, header: Int)
    case invalidFlag(name: String, value: String, expected: String)
    case truncated(source: String, reason: String)

    public var description: String {
        switch self {
        case let .notAudio(source, found):
            return "\(source): not a WAV stream (starts with \(found)); for raw 16-bit PCM pass --rate and --channels"
        case let .unsupportedWAV(source, reason):
            return "\(source): unsupported WAV stream: \(reason)"
        case let .rateMismatch(source, flag, header):
            return "\(source): --rate \(flag) disagrees with the WAV header's sample rate \(header); drop --rate or fix it"
        case let .channelMismatch(source, flag, header):
            return "\(source): --channels \(flag) disagrees with the WAV header's \(header) channels; drop --channels or fix it"
        case let .invalidFlag(name, value, expected):
            return "\(name) \(value) is invalid; expected \(expected)"
        case let .truncated(source, reason):
            return "\(source): the stream ended early: \(reason); the frames of the audio before it were written"
        }
    }
}

/// Audio arriving as bytes (standard input, a socket): a WAV stream, whose header gives rate, channels and
/// sample format and whose data size may be 0 or 0xFFFFFFFF (unknown, as `sox -t wav -` and `arecord` write
/// it), or raw interleaved little-endian 16-bit PCM at a rate and channel count the caller states (`--rate`,
/// `--channels`). Bytes go in
/// in pieces of any size; mono float samples (channels averaged, as `AudioFile` downmixes) come out.
///
/// A raw stream at a wrong but valid rate cannot be told from the right one; a WAV stream with a `--rate` that
/// disagrees with its header is refused.
public final class PCMStreamDecoder {
    public enum Encoding: Equatable, Sendable {
        case int16, int24, int32, float32
        var bytes: Int {
            switch self {
            case .int16: return 2
            case .int24: return 3
            case .int32, .float32: return 4
            }
        }
    }

    public let source: String
    /// Known once the header is parsed (at once for raw PCM).
    public private(set) var rate: Int?
    public private(set) var channels: Int?
    public private(set) var encoding: Encoding?
    private let flagRate: Int?, flagChannels: Int?
    private var pending: [UInt8] = []
    private var headerDone = false
    /// Data bytes still to come when the header gave a size; nil = until the end of the stream.
    private var dataLeft: Int?
    public private(set) var samplesOut = 0

    /// A WAV stream is recognized by its "RIFF" header, and `rate`/`channels`, if given, must agree with it;
    /// anything else is raw 16-bit little-endian PCM when both `rate` and `channels` are given, and refused as
    /// not audio when they are not.
    public init(source: String, rate: Int? = nil, channels: Int? = nil) throws {
        self.source = source
        flagRate = rate
        flagChannels = channels
        if let r = rate, !AudioFile.sampleRateRange.contains(r) {
            throw LiveInputError.invalidFlag(name: "--rate", value: "\(r)", expected: "a sample rate in \(AudioFile.sampleRateRange) Hz")
        }
        if let c = channels, !(1...64).contains(c) {
            throw LiveInputError.invalidFlag(name: "--channels", value: "\(c)", expected: "1...64")
        }
        if (rate == nil) != (channels == nil) {
            throw LiveInputError.invalidFlag(name: rate == nil ? "--channels" : "--rate", value: "\(rate ?? channels ?? 0)",
                                             expected: "--rate and --channels together (raw PCM needs both)")
        }
    }

    /// Raw PCM: decided once the first 4 bytes show no RIFF header.
    private func startRaw() throws {
        guard let r = flagRate, let c = flagChannels else { throw LiveInputError.notAudio(source: source, found: Self.describe(pending)) }
        rate = r
        channels = c
        encoding = .int16
        headerDone = true
    }

    /// Decodes what `bytes` completes; returns mono samples (possibly none).
    public func feed(_ bytes: [UInt8]) throws -> [Float] {
        pending += bytes
        if !headerDone {
            guard try parseHeader() else { return [] }
        }
        return decodeAvailable()
    }

    /// The end of the stream: throws when it ended inside the header, inside a sample frame, or before the
    /// data size the header announced.
    public func finish() throws {
        if !headerDone {
            if pending.isEmpty { throw LiveInputError.truncated(source: source, reason: "no audio at all (empty stream)") }
            if !pending.starts(with: Array("RIFF".utf8).prefix(pending.count)) {
                // Fewer than 4 bytes, not a header: raw PCM if the flags say so, else not audio.
                try startRaw()
                return try finish()
            }
            throw LiveInputError.truncated(source: source, reason: "inside the WAV header (\(pending.count) bytes)")
        }
        if !pending.isEmpty {
            throw LiveInputError.truncated(source: source, reason: "in the middle of a sample frame (\(pending.count) stray bytes of a \(frameBytes)-byte frame)")
        }
        if let left = dataLeft, left > 0 {
            throw LiveInputError.truncated(source: source, reason: "\(left) bytes before the end of the data chunk the WAV header announced")
        }
    }

    private var frameBytes: Int { (encoding?.bytes ?? 2) * (channels ?? 1) }

    static func describe(_ b: [UInt8]) -> String {
        let head = b.prefix(8)
        let printable = head.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        return printable ? "\"\(String(decoding: head, as: UTF8.self))\"" : head.map { String(format: "%02x", $0) }.joined(separator: " ")
    }

    private func u16(_ o: Int) -> Int { Int(pending[o]) | Int(pending[o + 1]) << 8 }
    private func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }

    /// True once the header is complete and removed from `pending`.
    private func parseHeader() throws -> Bool {
        if pending.count >= 4 && !pending.starts(with: Array("RIFF".utf8)) {
            try startRaw()
            return true
        }
        guard pending.count >= 12 else { return false }
        guard pending[8..<12].elementsEqual("WAVE".utf8) else {
            throw LiveInputError.notAudio(source: source, found: Self.describe(pending))
        }
        var offset = 12
        var format = 0, bits = 0, rate = 0, channels = 0
        while offset + 8 <= pending.count {
            let id = String(decoding: pending[offset..<(offset + 4)], as: UTF8.self)
            let size = u32(offset + 4)
            let body = offset + 8
            if id == "data" {
                guard rate > 0 else { throw LiveInputError.unsupportedWAV(source: source, reason: "data chunk before the fmt chunk") }
                self.rate = rate
                self.channels = channels
                switch (format, bits) {
                case (1, 16): encoding = .int16
                case (1, 24): encoding = .int24
                case (1, 32): encoding = .int32
                case (3, 32): encoding = .float32
                default: throw LiveInputError.unsupportedWAV(source: source, reason: "format tag \(format) with \(bits) bits (expected PCM 16/24/32-bit or IEEE float 32-bit)")
                }
                if let r = flagRate, r != rate { throw LiveInputError.rateMismatch(source: source, flag: r, header: rate) }
                if let c = flagChannels, c != channels { throw LiveInputError.channelMismatch(source: source, flag: c, header: channels) }
                guard AudioFile.sampleRateRange.contains(rate) else {
                    throw LiveInputError.unsupportedWAV(source: source, reason: "sample rate \(rate) outside \(AudioFile.sampleRateRange)")
                }
                guard (1...64).contains(channels) else { throw LiveInputError.unsupportedWAV(source: source, reason: "\(channels) channels") }
                // 0 and 0xFFFFFFFF: a stream whose writer did not know the length.
                dataLeft = size == 0 || size == 0xFFFF_FFFF ? nil : size
                pending.removeFirst(body)
                headerDone = true
                return true
            }
            guard body + size + (size & 1) <= pending.count else { return false }
            if id == "fmt " {
                guard size >= 16 else { throw LiveInputError.unsupportedWAV(source: source, reason: "fmt chunk of \(size) bytes, expected ≥ 16") }
                format = u16(body); channels = u16(body + 2); rate = u32(body + 4); bits = u16(body + 14)
                if format == 0xFFFE && size >= 40 { format = u16(body + 24) }   // WAVE_FORMAT_EXTENSIBLE: the subformat GUID's tag
            }
            offset = body + size + (size & 1)
            guard offset < 1 << 20 else { throw LiveInputError.unsupportedWAV(source: source, reason: "no data chunk in the first MiB") }
        }
        return false
    }

    private func decodeAvailable() -> [Float] {
        guard let enc = encoding, let c = channels else { return [] }
        var usable = pending.count
        if let left = dataLeft { usable = min(usable, left) }
        let fb = enc.bytes * c
        let frames = usable / fb
        guard frames > 0 else {
            if let left = dataLeft, left == 0 { pending.removeAll() }   // bytes after the data chunk (trailing chunks)
            return []
        }
        var out = [Float](repeating: 0, count: frames)
        pending.withUnsafeBytes { raw in
            let p = raw.baseAddress!
            for f in 0..<frames {
                var sum: Float = 0
                for ch in 0..<c {
                    let o = f * fb + ch * enc.bytes
                    switch enc {
                    case .int16: sum += Float(Int16(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int16.self))) / 32768
                    case .int24:
                        let v = Int32(raw[o]) | Int32(raw[o + 1]) << 8 | Int32(Int8(bitPattern: raw[o + 2])) << 16
                        sum += Float(v) / 8_388_608
                    case .int32: sum += Float(Int32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int32.self))) / 2_147_483_648
                    case .float32: sum += Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
                    }
                }
                out[f] = sum / Float(c)
            }
        }
        pending.removeFirst(frames * fb)
        if let left = dataLeft {
            dataLeft = left - frames * fb
            if dataLeft == 0 { pending.removeAll() }
        }
        samplesOut += frames
        return out
    }
}
