import A2MCore
import Foundation

/// 64-bit FNV-1a (Fowler–Noll–Vo), used for cache keys and cache-file checksums. Not cryptographic: it guards
/// against stale or damaged caches, not against an attacker (a hostile cache can at worst give wrong
/// training data, which the same attacker could put in the data directory directly).
struct ContentHash: Sendable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        value = h
    }

    /// FNV-1a over 64-bit little-endian words (the tail byte by byte): the same guard against damage at 8× the
    /// speed, for the feature cache's checksum, which covers gigabytes on a large corpus.
    mutating func addWords(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        let words = bytes.count / 8
        for i in 0..<words { h = (h ^ bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian) &* 0x0000_0100_0000_01b3 }
        value = h
        add(UnsafeRawBufferPointer(rebasing: bytes[(8 * words)...]))
    }

    mutating func add(_ data: Data) { data.withUnsafeBytes { add($0) } }
    mutating func add(_ string: String) { add(Data(string.utf8)); add(UInt64(string.utf8.count)) }
    mutating func add(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { add($0) } }

    /// Hash of a whole file, read in 1 MiB chunks.
    static func ofFile(_ url: URL) throws -> UInt64 {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var h = ContentHash()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { h.add(chunk) }
        return h.value
    }
}
