import A2MCore
import Foundation

/// A versioned on-disk cache of preprocessed training features, one file per (audio, BVH) pair.
///
/// File layout (little-endian): magic `A2MCACHE`, UInt32 format version, UInt64 key, UInt64 header length,
/// header JSON `{"meta": {...}, "tensors": [{"name", "count"}]}`, the Float32 data of every tensor in header
/// order, and a trailing UInt64 FNV-1a checksum of everything before it. The key hashes the format version, the
/// preprocessing settings and both source files' names, sizes, modification times and contents, so an edited
/// file or a changed audio config misses the cache. A file that fails any check (size, magic, version, key,
/// header, lengths, checksum) is reported as a miss with its reason and rebuilt — never trusted.
struct FeatureCache {
    static let formatVersion: UInt32 = 1
    static let magic = Data("A2MCACHE".utf8)
    static let fileExtension = "a2mc"

    let directory: URL

    struct Entry: Equatable {
        var meta: [String: String]
        var tensors: [(name: String, values: [Float])]
        static func == (a: Entry, b: Entry) -> Bool {
            a.meta == b.meta && a.tensors.map(\.name) == b.tensors.map(\.name) && a.tensors.map(\.values) == b.tensors.map(\.values)
        }
        func tensor(_ name: String) -> [Float]? { tensors.first { $0.name == name }?.values }
    }

    enum Lookup: Equatable {
        case hit(Entry)
        /// No usable entry; `reason` is nil when there was simply no file.
        case miss(reason: String?)
    }

    private struct Header: Codable {
        struct Tensor: Codable { var name: String; var count: Int }
        var meta: [String: String]
        var tensors: [Tensor]
    }

    func url(for stem: String) -> URL { directory.appendingPathComponent(stem + "." + Self.fileExtension) }

    /// The key of a pair: format version + `settings` (the preprocessing choices) + each file's name, size,
    /// modification time and content hash.
    static func key(files: [URL], settings: String) throws -> UInt64 {
        var h = ContentHash()
        h.add(UInt64(formatVersion))
        h.add(settings)
        for f in files {
            let attrs = try FileManager.default.attributesOfItem(atPath: f.path)
            h.add(f.lastPathComponent)
            h.add(UInt64((attrs[.size] as? NSNumber)?.uint64Value ?? 0))
            h.add(UInt64(bitPattern: Int64(((attrs[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) * 1e6)))
            h.add(try ContentHash.ofFile(f))
        }
        return h.value
    }

    func load(stem: String, key: UInt64) -> Lookup {
        let u = url(for: stem)
        guard let data = try? Data(contentsOf: u) else { return .miss(reason: nil) }
        return Self.decode(data, key: key)
    }

    static func decode(_ data: Data, key: UInt64) -> Lookup {
        let fixed = magic.count + 4 + 8 + 8
        guard data.count >= fixed + 8 else { return .miss(reason: "file is truncated (\(data.count) bytes)") }
        var check = ContentHash()
        data.withUnsafeBytes { check.add(UnsafeRawBufferPointer(rebasing: $0[0..<(data.count - 8)])) }
        func u64(_ at: Int) -> UInt64 { data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian } }
        func u32(_ at: Int) -> UInt32 { data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian } }
        guard data.prefix(magic.count) == magic else { return .miss(reason: "not an a2m cache file") }
        let version = u32(magic.count)
        guard version == formatVersion else { return .miss(reason: "cache format \(version), expected \(formatVersion)") }
        guard u64(magic.count + 4) == key else { return .miss(reason: "stale (source files or settings changed)") }
        guard u64(data.count - 8) == check.value else { return .miss(reason: "checksum mismatch (damaged file)") }
        let headerLength = u64(magic.count + 12)
        guard headerLength <= UInt64(data.count - fixed - 8) else { return .miss(reason: "header length out of range") }
        let headerEnd = fixed + Int(headerLength)
        guard let header = try? JSONDecoder().decode(Header.self, from: data.subdata(in: fixed..<headerEnd)) else {
            return .miss(reason: "unreadable header")
        }
        var offset = headerEnd
        var tensors: [(String, [Float])] = []
        for t in header.tensors {
            guard t.count >= 0, t.count <= (data.count - 8 - offset) / 4 else { return .miss(reason: "tensor '\(t.name)' overruns the file") }
            // Float32 data is stored in host order, which `encode` requires to be little-endian.
            var values = [Float](repeating: 0, count: t.count)
            values.withUnsafeMutableBytes { dst in
                data.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + 4 * t.count)])) }
            }
            tensors.append((t.name, values))
            offset += 4 * t.count
        }
        guard offset == data.count - 8 else { return .miss(reason: "\(data.count - 8 - offset) unexpected trailing bytes") }
        return .hit(Entry(meta: header.meta, tensors: tensors))
    }

    static func encode(_ entry: Entry, key: UInt64) throws -> Data {
        var out = magic
        func put<T: FixedWidthInteger>(_ x: T) { withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) } }
        let header = try JSONEncoder().encode(Header(meta: entry.meta, tensors: entry.tensors.map { .init(name: $0.name, count: $0.values.count) }))
        put(formatVersion)
        put(key)
        put(UInt64(header.count))
        out.append(header)
        precondition(UInt32(1).littleEndian == 1, "the feature cache stores Float32 in little-endian host order")
        for t in entry.tensors { t.values.withUnsafeBytes { out.append(contentsOf: $0) } }
        var check = ContentHash()
        check.add(out)
        put(check.value)
        return out
    }

    /// Removes cache files' temporaries that a killed run left behind (`AtomicFileWriter.staleTemporaries`: only
    /// those whose process is gone). Returns how many were removed.
    @discardableResult
    func removeStaleTemporaries() -> Int {
        let stale = AtomicFileWriter.staleTemporaries(in: directory) { $0.hasSuffix("." + Self.fileExtension) }
        return stale.filter { (try? FileManager.default.removeItem(at: $0)) != nil }.count
    }

    /// Writes atomically (creating the cache directory if needed).
    func store(_ entry: Entry, stem: String, key: UInt64) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError.cannotWrite(path: directory.path, reason: "cannot create the cache directory (\(FileProblem.describe(error))); pass --cache DIR to put it elsewhere")
        }
        try AtomicFile.write(try Self.encode(entry, key: key), to: url(for: stem))
    }
}
