import Testing
import Foundation
@testable import A2MCore
@testable import A2MTraining

@Suite struct FeatureCacheTests {
    let entry = FeatureCache.Entry(meta: ["fps": "30", "skeleton": "x"], tensors: [("motion", [1, 2, 3, -0.5]), ("audio", [9, 8])])

    func isHit(_ r: Result<FeatureCache.Entry, FeatureCache.Reason>) -> Bool { if case .success = r { return true } else { return false } }

    @Test func roundTripsMappedAlignedAndRejectsStaleOrDamagedFiles() throws {
        let d = try ScratchDirectory("cache")
        let cache = FeatureCache(directory: d.path("c"))
        guard case .miss(nil) = cache.load(stem: "a", key: 1) else { Issue.record("a missing file is not a plain miss"); return }
        try cache.store(entry, stem: "a", key: 42)
        guard case .hit(let mapped) = cache.load(stem: "a", key: 42) else { Issue.record("stored entry not found"); return }
        #expect(mapped.meta == entry.meta)
        let motion = try #require(mapped.floats("motion")), audio = try #require(mapped.floats("audio"))
        #expect(Array(motion) == [1, 2, 3, -0.5] && Array(audio) == [9, 8])
        // Mapped tensors are aligned, so the floats are read in place.
        for name in ["motion", "audio"] { #expect(Int(bitPattern: try #require(mapped.floats(name)).baseAddress) % FeatureCache.alignment == 0) }
        guard case .miss(let stale?) = cache.load(stem: "a", key: 43) else { Issue.record("stale key accepted"); return }
        #expect(stale.contains("stale"))

        let good = try Data(contentsOf: cache.url(for: "a"))
        #expect((try? FeatureCache.decode(good, key: 42).get()) == entry)
        // Flip one byte anywhere (header, padding, data or checksum): never a hit.
        for i in 0..<good.count {
            var bad = good
            bad[i] ^= 0x40
            if isHit(FeatureCache.decode(bad, key: 42)) { Issue.record("corrupted byte \(i) accepted") }
        }
        // Truncations are never a hit either.
        for n in [0, 5, 20, good.count / 2, good.count - 1] {
            if isHit(FeatureCache.decode(good.prefix(n), key: 42)) { Issue.record("truncated to \(n) accepted") }
        }
    }

    @Test func keyTracksContentsAndSettings() throws {
        let d = try ScratchDirectory("cache")
        try d.touch("a.wav", "one")
        let k1 = try FeatureCache.key(files: [d.path("a.wav")], settings: "s")
        #expect(k1 == (try FeatureCache.key(files: [d.path("a.wav")], settings: "s")))
        #expect(k1 != (try FeatureCache.key(files: [d.path("a.wav")], settings: "t")))
        let date = try FileManager.default.attributesOfItem(atPath: d.path("a.wav").path)[.modificationDate] as! Date
        try d.touch("a.wav", "two")   // same size
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: d.path("a.wav").path)
        #expect(k1 != (try FeatureCache.key(files: [d.path("a.wav")], settings: "s")))
    }

    /// Pages read through a mapping count in the process's resident set until released; `release` takes them out
    /// (what keeps a long corpus from growing the process) and the data reads back unchanged.
    @Test func releasedPagesLeaveTheResidentSet() throws {
        let d = try ScratchDirectory("cache")
        let url = d.path("big")
        let bytes = 64 << 20, page = MappedFile.pageSize
        try Data((0..<(bytes / page)).flatMap { p in [UInt8](repeating: UInt8(truncatingIfNeeded: p), count: page) }).write(to: url)
        let f = try MappedFile(url)
        /// RssFile of /proc/self/status, in bytes: file pages mapped into this process.
        func rssFile() throws -> Int {
            let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssFile:") })
            return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])) * 1024
        }
        let before = try rssFile()
        var sum = 0
        for p in stride(from: 0, to: bytes, by: page) { sum &+= Int(f.bytes[p]) }
        let touched = try rssFile()
        f.releaseAll()
        let after = try rssFile()
        // Other tests running meanwhile move RssFile by a few MB at most; the mapping moves it by 64.
        #expect(touched - before > bytes * 3 / 4, "touching 64 MB added \(touched - before) bytes")
        #expect(touched - after > bytes * 3 / 4, "releasing 64 MB removed \(touched - after) bytes")
        #expect(f.bytes[37 * page] == 37 && sum == (0..<(bytes / page)).reduce(0) { $0 &+ ($1 & 0xFF) })
    }
}
