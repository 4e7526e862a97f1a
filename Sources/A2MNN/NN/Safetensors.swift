import A2MCore
import Foundation

/// Element types of the safetensors format (huggingface/safetensors `Dtype`).
enum SafetensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64"

    var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }
}

/// One tensor entry of a validated header; offsets are relative to the data section.
package struct SafetensorsTensor: Sendable, Equatable {
    let name: String
    let dtype: SafetensorsDType
    let shape: [Int]
    let begin: Int
    let end: Int
}

/// A safetensors file (8-byte little-endian header length, JSON header, raw little-endian data), read and
/// fully validated before any tensor byte is touched: header length against the file size and a maximum,
/// JSON syntax and types, known dtype, non-negative shape without overflow, every data_offsets range inside
/// the data section, byte length = shape product × dtype size, no overlaps, and no gaps (like the reference
/// implementation, the tensors must tile the data section exactly).
public struct SafetensorsFile {
    /// Largest accepted header (the reference implementation's limit is 100 MB).
    static let maxHeaderBytes = 100_000_000

    package let path: String
    package let metadata: [String: String]
    package let tensors: [String: SafetensorsTensor]
    private let data: Data
    private let dataStart: Int
    /// Bytes of the data section (everything after the header).
    public var dataBytes: Int { data.count - dataStart }

    package init(contentsOf url: URL) throws {
        let d: Data
        do { d = try InputFile.read(url) } catch {
            throw CheckpointError.unreadable(path: url.path, reason: error.reason)
        }
        try self.init(data: d, path: url.path)
    }

    package init(data: Data, path: String) throws {
        self.path = path
        guard data.count >= 8 else { throw CheckpointError.truncated(path: path, size: data.count) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard n <= UInt64(SafetensorsFile.maxHeaderBytes) else {
            throw CheckpointError.headerTooLarge(path: path, length: n, maximum: SafetensorsFile.maxHeaderBytes)
        }
        guard 8 + Int(n) <= data.count else { throw CheckpointError.headerBeyondFile(path: path, length: n, fileSize: data.count) }
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(n)))
        // The reference implementation (serde_json into a map) rejects a tensor named twice; Foundation keeps the first.
        if let (at, key) = headerBytes.withUnsafeBytes({ JSONDuplicateKeys.first(in: $0) }) {
            throw CheckpointError.badHeader(path: path, reason: "the key '\(key)' appears more than once\(at.isEmpty ? "" : " in '\(at)'")")
        }
        let header: RawHeader
        do { header = try JSONDecoder().decode(RawHeader.self, from: headerBytes) } catch let e as CheckpointError {
            throw e
        } catch let DecodingError.dataCorrupted(ctx) {
            let why = (ctx.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? ctx.debugDescription
            throw CheckpointError.badHeader(path: path, reason: "not valid JSON (\(why))")
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            throw CheckpointError.badHeader(path: path, reason: "at \(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)")
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw CheckpointError.badHeader(path: path, reason: "at \((ctx.codingPath + [key]).map(\.stringValue).joined(separator: ".")): required key missing")
        } catch {
            throw CheckpointError.badHeader(path: path, reason: "\(error)")
        }
        let dataSize = data.count - 8 - Int(n)
        var tensors: [String: SafetensorsTensor] = [:]
        for (name, e) in header.entries {
            guard let dtype = SafetensorsDType(rawValue: e.dtype) else { throw CheckpointError.unknownDType(path: path, tensor: name, dtype: e.dtype) }
            var count = 1
            for s in e.shape {
                guard s >= 0 else { throw CheckpointError.badShape(path: path, tensor: name, reason: "negative dimension \(s) in \(e.shape)") }
                let (p, o) = count.multipliedReportingOverflow(by: s)
                guard !o else { throw CheckpointError.badShape(path: path, tensor: name, reason: "element count of \(e.shape) overflows") }
                count = p
            }
            let (bytes, o) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !o else { throw CheckpointError.badShape(path: path, tensor: name, reason: "byte size of \(e.shape) overflows") }
            guard e.offsets.count == 2 else { throw CheckpointError.badOffsets(path: path, tensor: name, reason: "expected [begin, end], got \(e.offsets.count) values") }
            let (b, en) = (e.offsets[0], e.offsets[1])
            guard b >= 0, en >= b else { throw CheckpointError.badOffsets(path: path, tensor: name, reason: "[\(b), \(en)] is not an increasing range") }
            guard en <= dataSize else {
                throw CheckpointError.badOffsets(path: path, tensor: name, reason: "[\(b), \(en)] runs past the \(dataSize)-byte data section")
            }
            guard en - b == bytes else { throw CheckpointError.sizeMismatch(path: path, tensor: name, bytes: en - b, expected: bytes) }
            tensors[name] = SafetensorsTensor(name: name, dtype: dtype, shape: e.shape, begin: b, end: en)
        }
        var covered = 0
        var previous = ""
        for t in tensors.values.sorted(by: { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }) {
            if t.begin < covered { throw CheckpointError.overlap(path: path, first: previous, second: t.name) }
            if t.begin > covered { throw CheckpointError.uncoveredData(path: path, reason: "gap of \(t.begin - covered) bytes before '\(t.name)'") }
            covered = t.end
            previous = t.name
        }
        guard covered == dataSize else {
            throw CheckpointError.uncoveredData(path: path, reason: "\(dataSize - covered) trailing bytes after the last tensor")
        }
        self.metadata = header.metadata
        self.tensors = tensors
        self.data = data
        self.dataStart = 8 + Int(n)
    }

    /// The tensor's values as Float (F32, F16 and BF16 are read; other dtypes are refused).
    func floats(_ name: String) throws -> [Float] {
        guard let t = tensors[name] else { throw CheckpointError.tensorMismatch(path: path, problems: ["missing tensor '\(name)'"]) }
        var out = [Float](repeating: 0, count: (t.end - t.begin) / t.dtype.byteSize)
        try out.withUnsafeMutableBufferPointer { try read(t, into: $0.baseAddress!) }
        return out
    }

    func read(_ t: SafetensorsTensor, into dst: FPtr) throws {
        let n = (t.end - t.begin) / t.dtype.byteSize
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let src = raw.baseAddress! + dataStart + t.begin
            switch t.dtype {
            case .f32: for i in 0..<n { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            case .f16: for i in 0..<n { dst[i] = halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            case .bf16: for i in 0..<n { dst[i] = bfloat16ToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            default: throw CheckpointError.unsupportedDType(path: path, tensor: t.name, dtype: t.dtype.rawValue)
            }
        }
    }

    private struct RawEntry: Decodable {
        var dtype: String
        var shape: [Int]
        var offsets: [Int]
        enum CodingKeys: String, CodingKey { case dtype, shape, offsets = "data_offsets" }
    }

    private struct RawHeader: Decodable {
        var metadata: [String: String] = [:]
        var entries: [(String, RawEntry)] = []
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyCodingKey.self)
            for key in c.allKeys {
                if key.stringValue == "__metadata__" { metadata = try c.decode([String: String].self, forKey: key) }
                else { entries.append((key.stringValue, try c.decode(RawEntry.self, forKey: key))) }
            }
        }
    }
}

/// Storage type for written checkpoints: F32 (training, default) or F16 (half the size, for shipping).
public enum CheckpointDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16"
}

/// Writes safetensors files atomically (temporary file + rename).
enum SafetensorsWriter {
    /// One tensor to write: its name, shape and `shape.product` floats.
    struct Entry {
        var name: String
        var shape: [Int]
        var values: UnsafeBufferPointer<Float>
        init(name: String, shape: [Int], values: UnsafeBufferPointer<Float>) {
            self.name = name; self.shape = shape; self.values = values
        }
    }

    static func write(_ entries: [Entry], metadata: [String: String], dtype: CheckpointDType = .f32, to url: URL) throws {
        let size = dtype == .f32 ? 4 : 2
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for e in entries {
            precondition(e.shape.reduce(1, *) == e.values.count, "shape \(e.shape) does not match \(e.values.count) values of \(e.name)")
            precondition(header[e.name] == nil && e.name != "__metadata__", "duplicate tensor name \(e.name)")
            let bytes = e.values.count * size
            header[e.name] = ["dtype": dtype.rawValue, "shape": e.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }   // pad with spaces so the data section is 8-byte aligned
        try AtomicFile.write(to: url) { h in
            var len = UInt64(json.count).littleEndian
            try h.write(contentsOf: Data(bytes: &len, count: 8))
            try h.write(contentsOf: json)
            for e in entries {
                var chunk = Data(capacity: min(e.values.count, 1 << 20) * size)
                var i = 0
                while i < e.values.count {
                    let n = min(1 << 20, e.values.count - i)
                    chunk.removeAll(keepingCapacity: true)
                    if dtype == .f32 {
                        for j in 0..<n { var b = e.values[i + j].bitPattern.littleEndian; withUnsafeBytes(of: &b) { chunk.append(contentsOf: $0) } }
                    } else {
                        for j in 0..<n { var b = floatToHalf(e.values[i + j]).littleEndian; withUnsafeBytes(of: &b) { chunk.append(contentsOf: $0) } }
                    }
                    try h.write(contentsOf: chunk)
                    i += n
                }
            }
        }
    }
}

extension TensorLayout {
    /// Every missing, extra or mis-shaped tensor of `file` against this layout (file names = `prefix` + layout
    /// name), with got/expected (whisper.cpp style). Reads only the header, so it runs before any arena exists.
    /// File tensors for which `ignore` is true are not counted as extra.
    public func problems(in file: SafetensorsFile, prefix: String = "", ignore: (String) -> Bool = { $0.hasPrefix("train.") }) -> [String] {
        var problems: [String] = []
        for s in specs {
            guard let t = file.tensors[prefix + s.name] else {
                problems.append("missing tensor '\(prefix + s.name)': expected shape \(s.shape)")
                continue
            }
            if t.shape != s.shape { problems.append("tensor '\(t.name)': got shape \(t.shape), expected \(s.shape)") }
            if ![.f32, .f16, .bf16].contains(t.dtype) { problems.append("tensor '\(t.name)': got dtype \(t.dtype.rawValue), expected F32, F16 or BF16") }
        }
        for name in file.tensors.keys.sorted() where name.hasPrefix(prefix) && !(prefix.isEmpty && ignore(name)) {
            if spec(String(name.dropFirst(prefix.count))) == nil {
                problems.append("unexpected tensor '\(name)' with shape \(file.tensors[name]!.shape)")
            }
        }
        return problems
    }
}

extension TensorArena {
    /// Copies every tensor of the layout from `file` (file names = `prefix` + layout name), after checking all
    /// names, shapes and dtypes (`TensorLayout.problems`).
    public func load(from file: SafetensorsFile, prefix: String = "", ignore: (String) -> Bool = { $0.hasPrefix("train.") }) throws {
        let problems = layout.problems(in: file, prefix: prefix, ignore: ignore)
        guard problems.isEmpty else { throw CheckpointError.tensorMismatch(path: file.path, problems: problems) }
        for s in layout.specs { try file.read(file.tensors[prefix + s.name]!, into: base + s.offset) }
    }

    /// Safetensors entries for every tensor (names prefixed), viewing this arena's memory.
    func entries(prefix: String = "") -> [SafetensorsWriter.Entry] {
        layout.specs.map { SafetensorsWriter.Entry(name: prefix + $0.name, shape: $0.shape,
                                                   values: UnsafeBufferPointer(start: base + $0.offset, count: $0.count)) }
    }
}
