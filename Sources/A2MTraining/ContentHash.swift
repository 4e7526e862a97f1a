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
