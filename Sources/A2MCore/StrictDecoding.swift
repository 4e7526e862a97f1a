import Foundation

/// Errors in configuration files: every key is either used or rejected, every value range-checked.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case unknownKey(file: String, path: String, key: String, allowed: [String])
    case outOfRange(file: String, field: String, value: String, expected: String)
    case invalid(file: String, field: String, reason: String)
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownKey(file, path, key, allowed):
            let at = path.isEmpty ? "" : " in \(path)"
            return "\(file): unknown key '\(key)'\(at); expected one of: \(allowed.sorted().joined(separator: ", "))"
        case let .outOfRange(file, field, value, expected):
            return "\(file): field '\(field)' = \(value) is out of range; expected \(expected)"
        case let .invalid(file, field, reason):
            return "\(file): field '\(field)': \(reason)"
        case let .unreadable(file, reason):
            return "\(file): \(reason)"
        }
    }
}

/// Any string key, used to list the keys actually present in a JSON object.
package struct AnyCodingKey: CodingKey {
    package var stringValue: String
    package var intValue: Int?
    package init(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

extension Decoder {
    /// Throws `ConfigError.unknownKey` if the JSON object being decoded has a key that `Keys` lacks.
    /// Call at the top of a config struct's `init(from:)`.
    package func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws {
        let present = try container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
        let allowed = Keys.allCases.map(\.stringValue)
        for key in present where !allowed.contains(key) {
            let path = codingPath.map(\.stringValue).joined(separator: ".")
            throw ConfigError.unknownKey(file: StrictJSON.currentFile(self), path: path, key: key, allowed: allowed)
        }
    }
}

extension KeyedDecodingContainer {
    /// The value at `key`, or `fallback` when the key is absent. A number that does not fit the field (2.5 for an
    /// Int) is reported at its key: Linux Foundation's JSONDecoder throws it as an internal error that the
    /// top-level decode turns into "not valid JSON" with no path, which would send the user looking for a syntax
    /// error.
    package func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        do {
            return try decodeIfPresent(T.self, forKey: key) ?? fallback
        } catch let e where !(e is DecodingError) && !(e is ConfigError) {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key], debugDescription: "expected \(T.self) (\(e))"))
        }
    }
}

/// Decodes configuration JSON and turns decoding failures into messages that name the file and field.
package enum StrictJSON {
    static let fileKey = CodingUserInfoKey(rawValue: "a2m.file")!

    package static func currentFile(_ decoder: Decoder) -> String {
        decoder.userInfo[fileKey] as? String ?? "<config>"
    }

    package static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws -> T {
        try rejectDuplicateKeys(data, file: file)
        let decoder = JSONDecoder()
        decoder.userInfo[fileKey] = file
        do {
            return try decoder.decode(T.self, from: data)
        } catch let e as ConfigError {
            throw e
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            throw ConfigError.invalid(file: file, field: path(ctx), reason: ctx.debugDescription)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ConfigError.invalid(file: file, field: (path(ctx) + "." + key.stringValue).trimmingCharacters(in: ["."]), reason: "required key is missing")
        } catch let DecodingError.dataCorrupted(ctx) where !ctx.codingPath.isEmpty {
            throw ConfigError.invalid(file: file, field: path(ctx), reason: ctx.debugDescription)
        } catch let DecodingError.dataCorrupted(ctx) {
            let underlying = (ctx.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw ConfigError.unreadable(file: file, reason: "not valid JSON: \(underlying ?? ctx.debugDescription)")
        }
    }

    package static func decode<T: Decodable>(_ type: T.Type, contentsOf url: URL) throws -> T {
        try decode(T.self, from: try read(url), file: url.path)
    }

    /// A config file's bytes (a regular file or a pipe; anything else is refused).
    public static func read(_ url: URL) throws -> Data {
        do { return try InputFile.read(url) } catch {
            throw ConfigError.unreadable(file: url.path, reason: "cannot read file (\(error.reason))")
        }
    }

    /// Throws when an object in `data` has a key twice (`JSONDuplicateKeys`).
    public static func rejectDuplicateKeys(_ data: Data, file: String) throws {
        let dup = data.withUnsafeBytes { JSONDuplicateKeys.first(in: $0) }
        if let (path, key) = dup {
            throw ConfigError.invalid(file: file, field: path.isEmpty ? key : path + "." + key,
                                      reason: "the key '\(key)' appears more than once in the same object; expected each key once")
        }
    }

    private static func path(_ ctx: DecodingError.Context) -> String {
        ctx.codingPath.map(\.stringValue).joined(separator: ".")
    }
}

/// Range checks for config `validate()` methods.
package struct ConfigValidator {
    package let file: String
    package init(file: String) { self.file = file }

    package func check<T: Comparable>(_ field: String, _ value: T, in range: ClosedRange<T>) throws {
        guard range.contains(value) else {
            throw ConfigError.outOfRange(file: file, field: field, value: "\(value)", expected: "\(range.lowerBound)...\(range.upperBound)")
        }
    }

    package func check(_ field: String, _ value: Float, in range: ClosedRange<Float>) throws {
        guard value.isFinite, range.contains(value) else {
            throw ConfigError.outOfRange(file: file, field: field, value: "\(value)", expected: "\(range.lowerBound)...\(range.upperBound)")
        }
    }

    package func require(_ field: String, _ ok: Bool, _ reason: String) throws {
        guard ok else { throw ConfigError.invalid(file: file, field: field, reason: reason) }
    }
}
