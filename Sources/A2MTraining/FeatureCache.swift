import A2MCore
import Foundation

/// A versioned on-disk cache of preprocessed training features, one file per (audio, BVH) pair, read through a
/// memory mapping so a corpus of any length costs only the pages a step is reading (`MappedFile`).
///
/// File layout (little-endian): magic `A2MCACHE`, UInt32 format version, UInt64 key, UInt64 header length,
/// header JSON `{"meta": {...}, "tensors": [{"name", "count", "offset"}]}`, zero padding, the Float32 data of
/// every tensor at its byte `offset` (a multiple of 64, so a mapped tensor is aligned), zero padding, and a
/// trailing UInt64 checksum of everything before it (`ContentHash.addWords`). The key hashes the format
/// version, the preprocessing settings and both source files' names, sizes, modification times and contents,
/// so an edited file or a changed audio config misses the cache. A file that fails any check (size, magic,
/// version, key, header, offsets, lengths, checksum) is reported as a miss with its reason and rebuilt — never
/// trusted.
struct FeatureCache {
    static let formatVersion: UInt32 = 2
    static let magic = Data("A2MCACHE".utf8)
    static let fileExtension = "a2mc"
    /// Tensor data starts at multiples of this many bytes.
    static let alignment = 64

    let directory: URL

    /// An entry in memory (what preprocessing produces and `store` writes).
    struct Entry: Equatable {
        var meta: [String: String]
        var tensors: [(name: String, values: [Float])]
        static func == (a: Entry, b: Entry) -> Bool {
            a.meta == b.meta && a.tensors.map(\.name) == b.tensors.map(\.name) && a.tensors.map(\.values) == b.tensors.map(\.values)
        }
        func tensor(_ name: String) -> [Float]? { tensors.first { $0.name == name }?.values }
    }

    /// A checked entry on disk, mapped: its metadata and where each tensor's floats are.
    final class Mapped: @unchecked Sendable {
        let file: MappedFile
        let meta: [String: String]
        let tensors: [String: (offset: Int, count: Int)]

        init(file: MappedFile, meta: [String: String], tensors: [String: (offset: Int, count: Int)]) {
            self.file = file; self.meta = meta; self.tensors = tensors
        }

        /// The floats of tensor `name` (aligned, read-only), nil when the entry has none.
        func floats(_ name: String) -> UnsafeBufferPointer<Float>? {
            guard let t = tensors[name] else { return nil }
            return UnsafeBufferPointer(start: (file.base + t.offset).assumingMemoryBound(to: Float.self), count: t.count)
        }

        /// Byte range of `count` floats of tensor `name` from float `start`, for `MappedFile.release`.
        func byteRange(_ name: String, start: Int, count: Int) -> Range<Int> {
            let o = tensors[name]!.offset + 4 * start
            return o..<(o + 4 * count)
        }
    }

    enum Lookup {
        case hit(Mapped)
        /// No usable entry; `reason` is nil when there was simply no file.
        case miss(reason: String?)
    }

    private struct Header: Codable {
        struct Tensor: Codable { var name: String; var count: Int; var offset: Int }
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

    /// Maps and checks the entry of `stem`. The checksum pass reads the whole file once and releases its pages
    /// as it goes, so checking a large cache does not grow the process.
    func load(stem: String, key: UInt64) -> Lookup {
        let u = url(for: stem)
        guard FileManager.default.fileExists(atPath: u.path) else { return .miss(reason: nil) }
        let file: MappedFile
        do { file = try MappedFile(u) } catch { return .miss(reason: "\(error)") }
        switch Self.check(file.bytes, key: key, release: file.release) {
        case .failure(let reason): return .miss(reason: reason.text)
        case .success(let (meta, tensors)): return .hit(Mapped(file: file, meta: meta, tensors: tensors))
        }
    }

    struct Reason: Error { var text: String }

    /// Checks an entry's bytes; returns its metadata and tensor locations. `release` is called on each checked
    /// chunk (a mapping drops those pages).
    static func check(_ bytes: UnsafeRawBufferPointer, key: UInt64, release: (Range<Int>) -> Void = { _ in })
        -> Result<([String: String], [String: (offset: Int, count: Int)]), Reason> {
        let fixed = magic.count + 4 + 8 + 8
        let n = bytes.count
        guard n >= fixed + 8 else { return .failure(Reason(text: "file is truncated (\(n) bytes)")) }
        func u64(_ at: Int) -> UInt64 { bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian }
        func u32(_ at: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian }
        guard Data(bytes[0..<magic.count]) == magic else { return .failure(Reason(text: "not an a2m cache file")) }
        let version = u32(magic.count)
        guard version == formatVersion else { return .failure(Reason(text: "cache format \(version), expected \(formatVersion)")) }
        guard u64(magic.count + 4) == key else { return .failure(Reason(text: "stale (source files or settings changed)")) }
        var sum = ContentHash()
        let chunk = 1 << 26
        var at = 0
        while at < n - 8 {
            let end = min(n - 8, at + chunk)
            sum.addWords(UnsafeRawBufferPointer(rebasing: bytes[at..<end]))
            release(at..<end)
            at = end
        }
        guard u64(n - 8) == sum.value else { return .failure(Reason(text: "checksum mismatch (damaged file)")) }
        let headerLength = u64(magic.count + 12)
        guard headerLength <= UInt64(n - fixed - 8) else { return .failure(Reason(text: "header length out of range")) }
        let headerEnd = fixed + Int(headerLength)
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[fixed..<headerEnd])) else {
            return .failure(Reason(text: "unreadable header"))
        }
        var tensors: [String: (offset: Int, count: Int)] = [:]
        var next = headerEnd
        for t in header.tensors {
            guard t.count >= 0, t.offset >= next, t.offset % alignment == 0, t.offset <= n - 8,
                  t.count <= (n - 8 - t.offset) / 4, tensors[t.name] == nil else {
                return .failure(Reason(text: "tensor '\(t.name)' has a bad offset or length"))
            }
            tensors[t.name] = (t.offset, t.count)
            next = t.offset + 4 * t.count
        }
        guard (n - 8) - next < alignment else { return .failure(Reason(text: "\(n - 8 - next) unexpected trailing bytes")) }
        return .success((header.meta, tensors))
    }

    /// The entry in `data` (tests and tools; training maps the file instead).
    static func decode(_ data: Data, key: UInt64) -> Result<Entry, Reason> {
        data.withUnsafeBytes { bytes in
            check(bytes, key: key).map { meta, tensors in
                let ordered = tensors.sorted { $0.value.offset < $1.value.offset }
                return Entry(meta: meta, tensors: ordered.map { name, t in
                    (name, Array(UnsafeBufferPointer(start: (bytes.baseAddress! + t.offset).assumingMemoryBound(to: Float.self), count: t.count)))
                })
            }
        }
    }

    static func encode(_ entry: Entry, key: UInt64) throws -> Data {
        precondition(UInt32(1).littleEndian == 1, "the feature cache stores Float32 in little-endian host order")
        let fixed = magic.count + 4 + 8 + 8
        func aligned(_ x: Int) -> Int { (x + alignment - 1) / alignment * alignment }
        // Offsets depend on the header's length and the header lists the offsets: lay out with a header length
        // rounded up to the alignment, then pad the JSON with spaces to exactly that length.
        var specs: [Header.Tensor] = []
        var headerBytes = Data()
        var reserved = aligned(fixed + 256) - fixed
        while true {
            var offset = fixed + reserved
            specs = entry.tensors.map { t in
                defer { offset = aligned(offset + 4 * t.values.count) }
                return Header.Tensor(name: t.name, count: t.values.count, offset: offset)
            }
            headerBytes = try JSONEncoder().encode(Header(meta: entry.meta, tensors: specs))
            if headerBytes.count <= reserved { break }
            reserved = aligned(fixed + headerBytes.count) - fixed
        }
        headerBytes.append(Data(repeating: 0x20, count: reserved - headerBytes.count))
        var out = magic
        func put<T: FixedWidthInteger>(_ x: T) { withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) } }
        put(formatVersion)
        put(key)
        put(UInt64(headerBytes.count))
        out.append(headerBytes)
        for (t, s) in zip(entry.tensors, specs) {
            out.append(Data(repeating: 0, count: s.offset - out.count))
            t.values.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        out.append(Data(repeating: 0, count: aligned(out.count) - out.count))
        var check = ContentHash()
        out.withUnsafeBytes { check.addWords($0) }
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
