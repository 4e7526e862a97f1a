import Foundation

/// Minimal RIFF/WAVE codec for 16-bit PCM mono: reads what espeak-ng writes and writes the corpus audio
/// (any libsndfile reader loads it). Not a general audio loader — a2m's loader is Audio's libsndfile path.
package enum PCM16WAV {
    enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        var description: String { switch self { case let .malformed(r): return r } }
    }

    package static func decode(_ data: Data) throws -> (samples: [Float], sampleRate: Int) {
        let bytes = [UInt8](data)
        func u32(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24 }
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            throw Failure.malformed("not a RIFF/WAVE file")
        }
        var offset = 12
        var rate = 0, channels = 0, bits = 0
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            var size = u32(offset + 4)
            let body = offset + 8
            if id == "fmt " {
                guard size >= 16, body + 16 <= bytes.count else { throw Failure.malformed("short fmt chunk") }
                guard u16(body) == 1 else { throw Failure.malformed("format tag \(u16(body)), expected 1 (PCM)") }
                channels = u16(body + 2); rate = u32(body + 4); bits = u16(body + 14)
            } else if id == "data" {
                guard rate > 0 else { throw Failure.malformed("data chunk before fmt chunk") }
                guard channels == 1, bits == 16 else { throw Failure.malformed("\(channels) channels of \(bits) bits, expected mono 16-bit") }
                // espeak-ng streaming to a pipe leaves the size at 0 or 0xFFFFFFFF: take what is there.
                if size == 0 || body + size > bytes.count { size = bytes.count - body }
                let n = size / 2
                var samples = [Float](repeating: 0, count: n)
                for i in 0..<n { samples[i] = Float(Int16(bitPattern: UInt16(u16(body + 2 * i)))) / 32768 }
                return (samples, rate)
            }
            offset = body + size + (size & 1)
        }
        throw Failure.malformed("no data chunk")
    }

    /// 16-bit PCM mono; samples are clipped to [−1, 1] and rounded to nearest.
    package static func encode(_ samples: [Float], sampleRate: Int) -> Data {
        var out = Data(capacity: 44 + 2 * samples.count)
        func put32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func put16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: Array("RIFF".utf8)); put32(36 + 2 * samples.count); out.append(contentsOf: Array("WAVE".utf8))
        out.append(contentsOf: Array("fmt ".utf8)); put32(16); put16(1); put16(1); put32(sampleRate); put32(sampleRate * 2); put16(2); put16(16)
        out.append(contentsOf: Array("data".utf8)); put32(2 * samples.count)
        var pcm = [UInt8](repeating: 0, count: 2 * samples.count)
        for (i, s) in samples.enumerated() {
            let v = UInt16(bitPattern: Int16((max(-1, min(1, s)) * 32767).rounded()))
            pcm[2 * i] = UInt8(v & 0xFF)
            pcm[2 * i + 1] = UInt8(v >> 8)
        }
        out.append(contentsOf: pcm)
        return out
    }
}
