import A2MCore

/// Everything that can be wrong with a checkpoint file; each case names the file and what was expected.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case truncated(path: String, size: Int)
    case headerTooLarge(path: String, length: UInt64, maximum: Int)
    case headerBeyondFile(path: String, length: UInt64, fileSize: Int)
    case badHeader(path: String, reason: String)
    case unknownDType(path: String, tensor: String, dtype: String)
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case badShape(path: String, tensor: String, reason: String)
    case badOffsets(path: String, tensor: String, reason: String)
    case sizeMismatch(path: String, tensor: String, bytes: Int, expected: Int)
    case overlap(path: String, first: String, second: String)
    case uncoveredData(path: String, reason: String)
    case tensorMismatch(path: String, problems: [String])
    case metadata(path: String, key: String, reason: String)
    /// A tensor value that cannot be right (NaN, infinity, a negative second moment).
    case badValue(path: String, tensor: String, value: Float, expected: String)

    public var description: String {
        switch self {
        case let .unreadable(p, r): return "\(p): cannot read checkpoint: \(r)"
        case let .truncated(p, s): return "\(p): truncated safetensors file (\(s) bytes; expected at least 8 for the header length)"
        case let .headerTooLarge(p, l, m): return "\(p): header length \(l) exceeds the maximum of \(m) bytes"
        case let .headerBeyondFile(p, l, s): return "\(p): header length \(l) runs past the end of the \(s)-byte file"
        case let .badHeader(p, r): return "\(p): invalid safetensors header: \(r)"
        case let .unknownDType(p, t, d): return "\(p): tensor '\(t)' has unknown dtype '\(d)'"
        case let .unsupportedDType(p, t, d): return "\(p): tensor '\(t)' has dtype \(d); expected F32, F16 or BF16"
        case let .badShape(p, t, r): return "\(p): tensor '\(t)': bad shape: \(r)"
        case let .badOffsets(p, t, r): return "\(p): tensor '\(t)': bad data_offsets: \(r)"
        case let .sizeMismatch(p, t, b, e): return "\(p): tensor '\(t)' spans \(b) bytes; its dtype and shape need \(e)"
        case let .overlap(p, a, b): return "\(p): tensors '\(a)' and '\(b)' overlap"
        case let .uncoveredData(p, r): return "\(p): data section not exactly covered by tensors: \(r)"
        case let .tensorMismatch(p, problems):
            return "\(p): checkpoint does not match the model (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n  "
                + ErrorList.capped(problems).joined(separator: "\n  ")
        case let .metadata(p, k, r): return "\(p): metadata '\(k)': \(r)"
        case let .badValue(p, t, v, e): return "\(p): tensor '\(t)' holds \(v); expected \(e)"
        }
    }
}
