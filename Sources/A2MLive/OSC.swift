import Foundation

/// Open Sound Control 1.0 (opensoundcontrol.org/spec-1_0): the wire format VMC rides on. Big-endian 32-bit
/// integers and floats, strings NUL-terminated and padded to a multiple of 4 bytes, a type tag string (",sfff"),
/// and bundles ("#bundle", a 64-bit NTP time tag, then size-prefixed elements).
public enum OSCArgument: Equatable, Sendable {
    case int(Int32)
    case float(Float)
    case string(String)

    var tag: Character {
        switch self {
        case .int: return "i"
        case .float: return "f"
        case .string: return "s"
        }
    }
}

public struct OSCMessage: Equatable, Sendable {
    public var address: String
    public var arguments: [OSCArgument]

    public init(_ address: String, _ arguments: [OSCArgument]) {
        self.address = address
        self.arguments = arguments
    }

    public func encode(into out: inout [UInt8]) {
        OSC.appendString(address, to: &out)
        OSC.appendString("," + String(arguments.map(\.tag)), to: &out)
        for a in arguments {
            switch a {
            case .int(let v): OSC.appendUInt32(UInt32(bitPattern: v), to: &out)
            case .float(let v): OSC.appendUInt32(v.bitPattern, to: &out)
            case .string(let s): OSC.appendString(s, to: &out)
            }
        }
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }
}

/// A bundle of messages with one time tag (1 = "immediately", what VMC senders use).
public struct OSCBundle: Equatable, Sendable {
    public var timeTag: UInt64
    public var messages: [OSCMessage]

    public init(timeTag: UInt64 = 1, messages: [OSCMessage]) {
        self.timeTag = timeTag
        self.messages = messages
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        OSC.appendString("#bundle", to: &out)
        OSC.appendUInt32(UInt32(truncatingIfNeeded: timeTag >> 32), to: &out)
        OSC.appendUInt32(UInt32(truncatingIfNeeded: timeTag), to: &out)
        var element: [UInt8] = []
        for m in messages {
            element.removeAll(keepingCapacity: true)
            m.encode(into: &element)
            OSC.appendUInt32(UInt32(element.count), to: &out)
            out += element
        }
        return out
    }
}

/// A malformed OSC packet: what was expected at which byte.
public struct OSCDecodingError: Error, CustomStringConvertible, Equatable {
    public var offset: Int
    public var reason: String
    public var description: String { "OSC packet, byte \(offset): \(reason)" }
}

public enum OSC {
    static func appendUInt32(_ v: UInt32, to out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        out += Array(s.utf8)
        out.append(0)
        while out.count % 4 != 0 { out.append(0) }
    }

    /// The messages of a packet: one message, or every message of a bundle (nested bundles flattened).
    public static func decode(_ bytes: [UInt8]) throws -> (timeTag: UInt64?, messages: [OSCMessage]) {
        var r = Reader(bytes: bytes, offset: 0, end: bytes.count)
        if bytes.starts(with: Array("#bundle\0".utf8)) {
            var messages: [OSCMessage] = []
            let tag = try r.bundle(into: &messages)
            return (tag, messages)
        }
        return (nil, [try r.message()])
    }

    struct Reader {
        let bytes: [UInt8]
        var offset: Int
        let end: Int

        func fail(_ reason: String) -> OSCDecodingError { OSCDecodingError(offset: offset, reason: reason) }

        mutating func uint32() throws -> UInt32 {
            guard offset + 4 <= end else { throw fail("expected 4 bytes, \(end - offset) left") }
            defer { offset += 4 }
            return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        }

        mutating func string() throws -> String {
            guard let nul = bytes[offset..<end].firstIndex(of: 0) else { throw fail("string without a NUL terminator") }
            let s = String(decoding: bytes[offset..<nul], as: UTF8.self)
            let next = (nul + 4) & ~3
            guard next <= end else { throw fail("string padding runs past the end") }
            guard bytes[(nul + 1)..<next].allSatisfy({ $0 == 0 }) else { throw fail("nonzero string padding") }
            offset = next
            return s
        }

        mutating func message() throws -> OSCMessage {
            let address = try string()
            guard address.hasPrefix("/") else { throw fail("address '\(address)' does not start with '/'") }
            let tags = try string()
            guard tags.hasPrefix(",") else { throw fail("type tag string '\(tags)' does not start with ','") }
            var args: [OSCArgument] = []
            for t in tags.dropFirst() {
                switch t {
                case "i": args.append(.int(Int32(bitPattern: try uint32())))
                case "f": args.append(.float(Float(bitPattern: try uint32())))
                case "s": args.append(.string(try string()))
                default: throw fail("unsupported type tag '\(t)' (expected i, f or s)")
                }
            }
            guard offset == end else { throw fail("\(end - offset) bytes after the last argument") }
            return OSCMessage(address, args)
        }

        mutating func bundle(into messages: inout [OSCMessage]) throws -> UInt64 {
            guard try string() == "#bundle" else { throw fail("expected #bundle") }
            let tag = UInt64(try uint32()) << 32 | UInt64(try uint32())
            while offset < end {
                let size = Int(try uint32())
                guard size % 4 == 0, size > 0, offset + size <= end else { throw fail("element size \(size) invalid (\(end - offset) bytes left)") }
                var inner = Reader(bytes: bytes, offset: offset, end: offset + size)
                if bytes[offset..<(offset + size)].starts(with: Array("#bundle\0".utf8)) {
                    _ = try inner.bundle(into: &messages)
                } else {
                    messages.append(try inner.message())
                }
                offset += size
            }
            return tag
        }
    }
}
