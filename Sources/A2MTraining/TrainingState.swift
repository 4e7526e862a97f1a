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

    /// Every field checked against the run it is to continue (design.md §9): a checkpoint is user data, and its
    /// permutation indexes the training windows, its position indexes the permutation, and its probabilities and
    /// counters steer the run. Returns one line per problem, naming the field and what was expected.
    func problems(config: A2MConfig, data: TrainingSet, metadataStep: String?) -> [String] {
        var out: [String] = []
        func field(_ name: String, _ ok: Bool, _ what: @autoclosure () -> String) {
            if !ok { out.append("a2m.state.\(name): \(what())") }
        }
        let t = config.training
        field("totalSteps", (1...1_000_000_000).contains(totalSteps), "\(totalSteps), expected 1...1000000000")
        field("step", (0...1_000_000_000).contains(step), "\(step), expected a step count in 0...1000000000")
        if let metadataStep { field("step", metadataStep == String(step), "\(step), but the checkpoint's a2m.step is '\(metadataStep)'") }
        let windows = data.trainingWindows.count
        let p = dataOrder.permutation
        if p.count != windows {
            out.append("a2m.state.dataOrder.permutation: \(p.count) entries, expected one per training window (\(windows))")
        } else {
            var seen = [Bool](repeating: false, count: windows)
            if let bad = p.first(where: { i in
                guard (0..<windows).contains(i), !seen[i] else { return true }
                seen[i] = true
                return false
            }) {
                out.append("a2m.state.dataOrder.permutation: entry \(bad) is out of range or repeated; expected a permutation of 0..<\(windows)")
            }
        }
        field("dataOrder.position", (0...p.count).contains(dataOrder.position), "\(dataOrder.position), expected 0...\(p.count)")
        field("dataOrder.epoch", dataOrder.epoch >= 0, "\(dataOrder.epoch), expected ≥ 0")
        field("conditionDrop.probability", conditionDrop.probability.bitPattern == config.model.condDropProbability.bitPattern,
              "\(conditionDrop.probability), but the config's model.condDropProbability is \(config.model.condDropProbability)")
        for (name, rng) in [("dataOrder.rng", dataOrder.rng), ("timesteps", timesteps), ("noise", noise),
                            ("conditionDrop.rng", conditionDrop.rng), ("dropout", dropout)] {
            field(name, rng.isWellFormed, "not a generator state a2m writes (even increment or non-finite cached value)")
        }
        field("intervalSums", (3...5).contains(intervalSums.count), "\(intervalSums.count) sums, expected 3 to 5")
        field("intervalSums", intervalSums.allSatisfy { Double(bitPattern: $0).isFinite }, "a sum is NaN or infinite")
        field("intervalSteps", (0..<t.logInterval).contains(intervalSteps) && intervalSteps <= step,
              "\(intervalSteps), expected 0...\(min(step, t.logInterval - 1)) (steps since the last log line)")
        let maxDropped = intervalSteps.multipliedReportingOverflow(by: t.batchSize)
        field("intervalDropped", intervalDropped >= 0 && !maxDropped.overflow && intervalDropped <= maxDropped.partialValue,
              "\(intervalDropped), expected 0...\(maxDropped.overflow ? 0 : maxDropped.partialValue) (intervalSteps × batchSize)")
        field("elapsed", elapsed.isFinite && elapsed >= 0, "\(elapsed), expected a finite number of seconds ≥ 0")
        return out
    }

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
