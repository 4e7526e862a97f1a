import A2MCore
import Foundation

/// Everything besides tensors that a resumed run needs to continue bit for bit: the step, the length of the
/// run (it shapes the learning-rate schedule), every RNG stream, the data order, the open log interval, and a
/// fingerprint of the data the run was started on. Stored as JSON in the checkpoint's `a2m.state` metadata.
struct TrainingState: Codable, Equatable {
    static let metadataKey = "a2m.state"
    static let configKey = "a2m.config"

    var step: Int
    var totalSteps: Int
    var dataOrder: DataOrder
    var timesteps: PCG32
    var noise: PCG32
    var conditionDrop: ConditionDropSampler
    var dropout: PCG32
    /// Sums of the losses since the last log line, as Double bit patterns (JSON numbers would round).
    var intervalSums: [UInt64]
    var intervalSteps: Int
    var intervalDropped: Int
    /// Training seconds before this run segment (for the log's `elapsed`).
    var elapsed: Double
    var dataFingerprint: String

    func json() throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }
}

extension TrainingSet {
    /// Identifies the preprocessed data: files, frame counts, split, window counts and normalization statistics.
    var fingerprint: String {
        var h = ContentHash()
        for f in files { h.add(f.stem); h.add(UInt64(f.frames)) }
        for i in trainingFiles { h.add(UInt64(i)) }
        h.add(UInt64(trainingWindows.count))
        h.add(UInt64(validationWindows.count))
        for x in motionStats.mean + motionStats.std + audioStats.mean + audioStats.std { h.add(UInt64(x.bitPattern)) }
        return "\(files.count) files, \(trainingWindows.count) training windows, hash \(String(h.value, radix: 16))"
    }
}
