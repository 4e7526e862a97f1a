import Foundation
import Testing
@testable import A2MLive
#if canImport(Glibc)
import Glibc
#endif

@Suite struct OSCTests {
    /// The OSC 1.0 specification's own example message: "/oscillator/4/frequency" ,f 440.0.
    @Test func specExampleBytes() throws {
        let m = OSCMessage("/oscillator/4/frequency", [.float(440)])
        let want: [UInt8] = Array("/oscillator/4/frequency".utf8) + [0] + Array(",f".utf8) + [0, 0] + [0x43, 0xDC, 0x00, 0x00]
        #expect(m.bytes == want)
        #expect(try OSC.decode(m.bytes).messages == [m])
    }

    /// A bundle of mixed messages decodes to the same messages and time tag; every size is a multiple of 4.
    @Test func bundleRoundTrip() throws {
        let msgs = [OSCMessage("/VMC/Ext/Bone/Pos", [.string("LeftUpperArm"), .float(-0.1), .float(1.4), .float(0), .float(0), .float(0.3826834), .float(0), .float(0.9238795)]),
                    OSCMessage("/VMC/Ext/OK", [.int(1)]), OSCMessage("/a", [.string(""), .string("abc"), .string("abcd")])]
        let b = OSCBundle(timeTag: 0x0102_0304_0506_0708, messages: msgs)
        let bytes = b.bytes
        #expect(bytes.count % 4 == 0)
        #expect(Array(bytes[0..<8]) == Array("#bundle".utf8) + [0])
        let d = try OSC.decode(bytes)
        #expect(d.timeTag == 0x0102_0304_0506_0708)
        #expect(d.messages == msgs)
    }

    /// Malformed packets are refused with the byte offset.
    @Test func malformedPacketsAreRefused() {
        let good = OSCMessage("/x", [.float(1)]).bytes
        for bad in [Array(good.dropLast()), Array("noslash".utf8) + [0], Array("/x".utf8) + [0, 0] + Array("f".utf8) + [0, 0, 0]] {
            #expect(throws: OSCDecodingError.self) { _ = try OSC.decode(bad) }
        }
    }
}

@Suite struct PCMStreamDecoderTests {
    static func wavHeader(rate: Int, channels: Int, bits: Int = 16, format: Int = 1, dataSize: UInt32 = 0xFFFF_FFFF) -> [UInt8] {
        func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        func u16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let block = channels * bits / 8
        return Array("RIFF".utf8) + u32(0xFFFF_FFFF) + Array("WAVEfmt ".utf8) + u32(16) + u16(UInt16(format)) + u16(UInt16(channels))
            + u32(UInt32(rate)) + u32(UInt32(rate * block)) + u16(UInt16(block)) + u16(UInt16(bits)) + Array("data".utf8) + u32(dataSize)
    }

    static func int16(_ v: [Int16]) -> [UInt8] { v.flatMap { s in withUnsafeBytes(of: s.littleEndian) { Array($0) } } }

    /// A WAV stream of unknown length, fed one byte at a time, decodes stereo to the channel mean.
    @Test func wavStreamByteByByte() throws {
        let d = try PCMStreamDecoder(source: "<test>")
        let bytes = Self.wavHeader(rate: 16000, channels: 2) + Self.int16([16384, 0, -32768, -32768, 100, 300])
        var out: [Float] = []
        for b in bytes { out += try d.feed([b]) }
        try d.finish()
        #expect(d.rate == 16000 && d.channels == 2)
        #expect(out == [0.25, -1, Float(200) / 32768])
    }

    @Test func rawPCMNeedsRateAndChannels() throws {
        let d = try PCMStreamDecoder(source: "<test>", rate: 8000, channels: 1)
        #expect(try d.feed(Self.int16([16384, -16384])) == [0.5, -0.5])
        #expect(d.rate == 8000)
        #expect(throws: LiveInputError.self) { _ = try PCMStreamDecoder(source: "<test>", rate: 8000) }
    }

    /// The bad inputs of issue 40, each a clear error naming the stream.
    @Test func badInputsGiveOneClearError() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        // Not audio.
        let text = message { let d = try PCMStreamDecoder(source: "<stdin>"); _ = try d.feed(Array("hello, this is text\n".utf8)) }
        #expect(text.contains("<stdin>: not a WAV stream") && text.contains("\"hello, t\""), "\(text)")
        // A --rate that disagrees with the header.
        let rate = message { let d = try PCMStreamDecoder(source: "<stdin>", rate: 44100, channels: 1); _ = try d.feed(Self.wavHeader(rate: 16000, channels: 1)) }
        #expect(rate.contains("--rate 44100 disagrees with the WAV header's sample rate 16000"), "\(rate)")
        // An impossible rate.
        let zero = message { _ = try PCMStreamDecoder(source: "<stdin>", rate: 0, channels: 1) }
        #expect(zero.contains("--rate 0 is invalid"), "\(zero)")
        // A stream that stops mid-frame: the whole samples before it come out, then the error.
        let d = try PCMStreamDecoder(source: "<stdin>")
        let out = try d.feed(Self.wavHeader(rate: 16000, channels: 2) + Self.int16([1000, 1000, 2000]))
        #expect(out.count == 1)
        let mid = message { try d.finish() }
        #expect(mid.contains("in the middle of a sample frame (2 stray bytes of a 4-byte frame)"), "\(mid)")
        // A stream shorter than its header announced.
        let short = try PCMStreamDecoder(source: "<stdin>")
        _ = try short.feed(Self.wavHeader(rate: 16000, channels: 1, dataSize: 100) + Self.int16([1, 2]))
        let early = message { try short.finish() }
        #expect(early.contains("96 bytes before the end of the data chunk"), "\(early)")
        // Nothing at all.
        let empty = message { try PCMStreamDecoder(source: "<stdin>").finish() }
        #expect(empty.contains("empty stream"), "\(empty)")
    }

    /// A closed UDP port on localhost: the kernel's "port unreachable" comes back as a clear error.
    @Test func closedUDPPortIsAnError() throws {
        // A port nobody listens on: bind one, note it, close it.
        let probe = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &len) } }
        let port = UInt16(bigEndian: addr.sin_port)
        close(probe)
        let s = try UDPSender("127.0.0.1:\(port)")
        var failure = ""
        for _ in 0..<20 where failure.isEmpty {
            do { try s.send([0, 0, 0, 0]); usleep(2000) } catch { failure = "\(error)" }
        }
        #expect(failure.contains("nothing is listening on that UDP port"), "\(failure)")
        #expect(throws: UDPError.self) { _ = try UDPSender("localhost") }
    }
}
