import Foundation

/// A JSON tree written deterministically: object keys in insertion order, numbers in their shortest
/// round-trip form (`JSONTextWriter`). The glTF and VRMA writers build their documents with it.
public indirect enum JSONValue: Equatable, Sendable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int)
    case float(Float)
    case double(Double)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.bytes == b.bytes }

    /// `value[key]` of an object (first match), nil otherwise.
    public subscript(key: String) -> JSONValue? {
        if case let .object(pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    public var bytes: [UInt8] {
        var w = JSONTextWriter()
        write(&w)
        return w.out
    }

    func write(_ w: inout JSONTextWriter) {
        switch self {
        case let .object(pairs):
            w.raw("{")
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { w.raw(",") }
                w.string(k); w.raw(":"); v.write(&w)
            }
            w.raw("}")
        case let .array(items):
            w.raw("[")
            for (i, v) in items.enumerated() {
                if i > 0 { w.raw(",") }
                v.write(&w)
            }
            w.raw("]")
        case let .string(s): w.string(s)
        case let .int(i): w.raw(String(i))
        case let .float(f): w.float(f)
        case let .double(d): w.number(d)
        case let .bool(b): w.raw(b ? "true" : "false")
        case .null: w.raw("null")
        }
    }

    package static func floats<S: Sequence>(_ s: S) -> JSONValue where S.Element == Float { .array(s.map { .float($0) }) }
    package static func ints<S: Sequence>(_ s: S) -> JSONValue where S.Element == Int { .array(s.map { .int($0) }) }
}
