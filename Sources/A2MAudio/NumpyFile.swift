import A2MCore
import Foundation

/// Errors reading a .npy file.
public enum NumpyError: Error, CustomStringConvertible, Equatable {
    case invalid(file: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(file, reason): return "\(file): not a supported .npy file: \(reason)"
        }
    }
}

/// NumPy `.npy` format 1.0 for float32 matrices: magic `\x93NUMPY`, version 1.0, a little-endian uint16
/// header length, a Python-dict header padded with spaces to a multiple of 64 bytes and ending in '\n',
/// then the raw data. Only `'<f4'`, C order, 1-D or 2-D — what a2m writes and its fixtures use.
public enum NumpyFile {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// `np.save` bytes of `matrix` with shape (frames, bins).
    public static func data(_ matrix: FeatureMatrix) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(matrix.frames), \(matrix.bins)), }"
        let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = Data(magic + [1, 0])
        let n = UInt16(header.utf8.count)
        out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        out.append(Data(header.utf8))
        matrix.values.withUnsafeBufferPointer { buf in
            for v in buf {
                let b = v.bitPattern.littleEndian
                withUnsafeBytes(of: b) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Parses a float32 .npy; a 1-D array of n values comes back as n × 1.
    public static func read(_ data: Data, file: String) throws -> FeatureMatrix {
        let bytes = [UInt8](data)
        func fail(_ r: String) -> NumpyError { .invalid(file: file, reason: r) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("missing \\x93NUMPY magic") }
        let headerStart: Int, headerLen: Int
        switch bytes[6] {
        case 1: (headerStart, headerLen) = (10, Int(bytes[8]) | Int(bytes[9]) << 8)
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            (headerStart, headerLen) = (12, (8..<12).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) })
        default: throw fail("unknown version \(bytes[6]).\(bytes[7])")
        }
        guard headerStart + headerLen <= bytes.count,
              let header = String(bytes: bytes[headerStart..<(headerStart + headerLen)], encoding: .ascii) else {
            throw fail("header length \(headerLen) exceeds the file size \(bytes.count)")
        }
        let compact = header.replacingOccurrences(of: " ", with: "")
        guard compact.contains("'descr':'<f4'") else { throw fail("dtype must be '<f4', header is \(header.trimmingCharacters(in: .whitespacesAndNewlines))") }
        guard compact.contains("'fortran_order':False") else { throw fail("only C order is supported") }
        guard let open = compact.range(of: "'shape':("), let close = compact[open.upperBound...].firstIndex(of: ")") else {
            throw fail("no shape in header")
        }
        let dims = compact[open.upperBound..<close].split(separator: ",").map { Int($0) }
        guard !dims.isEmpty, dims.count <= 2, dims.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            throw fail("shape must be 1-D or 2-D with non-negative sizes")
        }
        let rows = dims[0]!, cols = dims.count == 2 ? dims[1]! : 1
        let (count, overflow) = rows.multipliedReportingOverflow(by: cols)
        let start = headerStart + headerLen
        guard !overflow, count <= (bytes.count - start) / 4, bytes.count - start == count * 4 else {
            throw fail("shape (\(rows), \(cols)) needs \(count) float32 values, file holds \((bytes.count - start) / 4)")
        }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let o = start + 4 * i
            let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
            values[i] = Float(bitPattern: bits)
        }
        return FeatureMatrix(frames: rows, bins: cols, values: values)
    }

    public static func read(contentsOf url: URL) throws -> FeatureMatrix {
        let data: Data
        do { data = try InputFile.read(url) } catch { throw NumpyError.invalid(file: url.path, reason: "cannot read file (\(error.reason))") }
        return try read(data, file: url.path)
    }
}
