import A2MAudio
import A2MCore
import Foundation

/// The mismatched-audio control: score the motion of clip i against the audio of another clip π(i).
/// A metric that measures audio–motion alignment must be clearly higher on matched pairs than on these;
/// if it is not, the metric (or the model) is not using the audio.
enum MismatchedAudio {
    /// A seeded derangement of 0..<n (π(i) ≠ i for all i); needs n ≥ 2.
    static func pairing(count n: Int, seed: UInt64) throws -> [Int] {
        guard n >= 2 else { throw AnalysisError.invalidInput("the mismatched-audio control needs at least 2 clips, got \(n)") }
        var rng = PCG32.derived(seed: seed, purpose: .sampling, rank: 0x0415)
        // Sattolo's algorithm: a uniformly random n-cycle, which never maps an index to itself.
        var p = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = rng.int(below: i)
            p.swapAt(i, j)
        }
        return p
    }

    /// Per-clip scores with matched audio and with the audio of `pairing(count:seed:)[i]`; clips whose score
    /// is nil (e.g. no onsets) are dropped from that list.
    static func scores(count n: Int, seed: UInt64, score: (_ motion: Int, _ audio: Int) throws -> Double?) throws -> (matched: [Double], mismatched: [Double]) {
        let p = try pairing(count: n, seed: seed)
        var matched = [Double](), mismatched = [Double]()
        for i in 0..<n {
            if let s = try score(i, i) { matched.append(s) }
            if let s = try score(i, p[i]) { mismatched.append(s) }
        }
        return (matched, mismatched)
    }
}
