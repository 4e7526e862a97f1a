/// Finds a key that appears twice in one JSON object. Foundation's decoders accept duplicates silently and keep
/// the first value, while Python's json keeps the last and the safetensors reference library rejects the file, so
/// one file could mean three things; a2m rejects it (configs, safetensors headers, metadata, motion JSON).
///
/// A single forward pass over the bytes with an explicit stack (no recursion, so nesting depth cannot overflow
/// the call stack). It only looks for duplicates: on malformed JSON it stops and reports nothing, and the decoder
/// that runs next reports the syntax error with its own position.
public enum JSONDuplicateKeys {
    /// The first repeated key and the dotted path of the object holding it ("" for the top level).
    public static func first(in bytes: UnsafeRawBufferPointer) -> (path: String, key: String)? {
        var scanner = Scanner(bytes: bytes)
        return scanner.run()
    }

    public static func first(in data: [UInt8]) -> (path: String, key: String)? {
        data.withUnsafeBytes { first(in: $0) }
    }

    private enum Frame {
        case object(keys: Set<String>, current: String?)
        case array(index: Int)
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var i = 0
        var stack: [Frame] = []

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        /// The path of the innermost object (its own current key left out: that is the key being reported).
        var path: String {
            stack.dropLast().compactMap { f -> String? in
                switch f {
                case let .object(_, current): return current
                case let .array(index): return "[\(index)]"
                }
            }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        /// Parses a string starting at the quote; nil on malformed input.
        mutating func string() -> String? {
            guard i < bytes.count, bytes[i] == 0x22 else { return nil }
            i += 1
            var units: [UInt16] = []
            var raw: [UInt8] = []
            func flush() {
                if !raw.isEmpty { units += String(decoding: raw, as: UTF8.self).utf16; raw = [] }
            }
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x22 { i += 1; flush(); return String(decoding: units, as: UTF16.self) }
                if b == 0x5C {
                    guard i + 1 < bytes.count else { return nil }
                    flush()
                    let e = bytes[i + 1]
                    i += 2
                    switch e {
                    case 0x22: units.append(0x22)
                    case 0x5C: units.append(0x5C)
                    case 0x2F: units.append(0x2F)
                    case 0x62: units.append(0x08)
                    case 0x66: units.append(0x0C)
                    case 0x6E: units.append(0x0A)
                    case 0x72: units.append(0x0D)
                    case 0x74: units.append(0x09)
                    case 0x75:
                        guard i + 4 <= bytes.count, let v = UInt16(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + 4)]), as: UTF8.self), radix: 16)
                        else { return nil }
                        units.append(v)
                        i += 4
                    default: return nil
                    }
                    continue
                }
                raw.append(b)
                i += 1
            }
            return nil
        }

        /// Skips a number, true, false or null.
        mutating func scalar() -> Bool {
            let start = i
            while i < bytes.count, !([0x2C, 0x7D, 0x5D, 0x20, 0x09, 0x0A, 0x0D] as [UInt8]).contains(bytes[i]) { i += 1 }
            return i > start
        }

        /// After a value inside the innermost container: a comma or its closing bracket. Returns false on malformed input.
        mutating func afterValue() -> Bool {
            while true {
                skipSpace()
                guard let top = stack.last else { return true }
                guard i < bytes.count else { return false }
                let b = bytes[i]
                switch (top, b) {
                case (.object, 0x2C):
                    i += 1
                    return true
                case (.array(let n), 0x2C):
                    i += 1
                    stack[stack.count - 1] = .array(index: n + 1)
                    return true
                case (.object, 0x7D), (.array, 0x5D):
                    i += 1
                    stack.removeLast()
                    continue
                default:
                    return false
                }
            }
        }

        mutating func run() -> (path: String, key: String)? {
            // Expect a value; inside an object, a key first.
            while true {
                skipSpace()
                guard i < bytes.count else { return nil }
                if case let .object(keys, _)? = stack.last {
                    if bytes[i] == 0x7D {   // empty object
                        i += 1
                        stack.removeLast()
                        if !afterValue() { return nil }
                        if stack.isEmpty { return nil }
                        continue
                    }
                    guard let key = string() else { return nil }
                    if keys.contains(key) { return (path, key) }
                    var k = keys
                    k.insert(key)
                    stack[stack.count - 1] = .object(keys: k, current: key)
                    skipSpace()
                    guard i < bytes.count, bytes[i] == 0x3A else { return nil }
                    i += 1
                    skipSpace()
                    guard i < bytes.count else { return nil }
                }
                switch bytes[i] {
                case 0x7B:
                    i += 1
                    stack.append(.object(keys: [], current: nil))
                    continue
                case 0x5B:
                    i += 1
                    skipSpace()
                    if i < bytes.count, bytes[i] == 0x5D {
                        i += 1
                    } else {
                        stack.append(.array(index: 0))
                        continue
                    }
                case 0x22:
                    guard string() != nil else { return nil }
                default:
                    guard scalar() else { return nil }
                }
                if !afterValue() { return nil }
                if stack.isEmpty { return nil }
            }
        }
    }
}
