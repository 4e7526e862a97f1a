import Testing
import Foundation
@testable import A2MTraining

@Suite struct FeatureCacheTests {
    let entry = FeatureCache.Entry(meta: ["fps": "30", "skeleton": "x"], tensors: [("motion", [1, 2, 3, -0.5]), ("audio", [9, 8])])

    @Test func roundTripsAndRejectsStaleOrDamagedFiles() throws {
        let d = try ScratchDirectory("cache")
        let cache = FeatureCache(directory: d.path("c"))
        #expect(cache.load(stem: "a", key: 1) == .miss(reason: nil))
        try cache.store(entry, stem: "a", key: 42)
        #expect(cache.load(stem: "a", key: 42) == .hit(entry))
        guard case .miss(let stale?) = cache.load(stem: "a", key: 43) else { Issue.record("stale key accepted"); return }
        #expect(stale.contains("stale"))

        let good = try Data(contentsOf: cache.url(for: "a"))
        // Flip one byte anywhere (header, data or checksum): never a hit.
        for i in stride(from: 0, to: good.count, by: 3) {
            var bad = good
            bad[i] ^= 0x40
            if case .hit = FeatureCache.decode(bad, key: 42) { Issue.record("corrupted byte \(i) accepted") }
        }
        // Truncations are never a hit either.
        for n in [0, 5, 20, good.count - 1] {
            if case .hit = FeatureCache.decode(good.prefix(n), key: 42) { Issue.record("truncated to \(n) accepted") }
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
}
