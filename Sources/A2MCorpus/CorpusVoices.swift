import A2MCore

/// The espeak-ng voices the corpus draws from, and the speaker-disjoint split.
///
/// A voice's identity (the "speaker") is its espeak-ng variant — the timbre, formants and voicing model —
/// while the language changes only what is said. Variants are split train/val/test once per seed, so the
/// val and test clips are spoken by variants never heard in train, in any language.
public enum CorpusVoices {
    /// espeak-ng languages with word lists in `WordLists`.
    static let languages = ["en", "de", "fr", "es", "it", "nl", "pt", "pl"]

    /// Variants (files in espeak-ng-data/voices/!v): the numbered male/female voices, the Klatt-synthesizer
    /// voices, and a few contributed ones with distinct timbre.
    static let variants = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
                                  "klatt", "klatt2", "klatt3", "klatt4", "Alex", "Annie", "Andy", "Denis",
                                  "belinda", "david", "linda", "steph"]

    public enum Split: String, Codable, Sendable, CaseIterable { case train, val, test }

    /// Seeded partition of `variants`: 15 train, 5 val, 5 test.
    static func partition(seed: UInt64) -> [Split: [String]] {
        var rng = PCG32.derived(seed: seed, purpose: .corpus, rank: 1 << 20)
        var pool = variants
        for i in stride(from: pool.count - 1, to: 0, by: -1) { pool.swapAt(i, rng.int(below: i + 1)) }
        return [.train: Array(pool[0..<15]), .val: Array(pool[15..<20]), .test: Array(pool[20..<25])]
    }

    /// Split of each clip: 10% val and 10% test (at least one each once there are 3 clips), seeded positions.
    static func clipSplits(count: Int, seed: UInt64) -> [Split] {
        let held = count >= 3 ? max(1, Int((Double(count) * 0.1).rounded())) : 0
        var splits = [Split](repeating: .train, count: count)
        for i in 0..<held { splits[i] = .val; splits[held + i] = .test }
        var rng = PCG32.derived(seed: seed, purpose: .corpus, rank: (1 << 20) + 1)
        for i in stride(from: count - 1, to: 0, by: -1) { splits.swapAt(i, rng.int(below: i + 1)) }
        return splits
    }
}
