import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// A list of stems and the subset each belongs to: `a2m train --split FILE`, or a dataset's own split file
/// (BEAT2's train_test_split.csv).
///
/// One entry per line, `STEM SUBSET`, separated by a comma, a tab or spaces; SUBSET is `train`, `val`
/// (or `validation`), `test`, or `additional` (BEAT2's extra training takes, trained on). Empty lines and lines
/// starting with `#` are skipped, and so is a first line whose second field is not a subset (a CSV header such
/// as BEAT2's `id,type`). A stem may appear once.
public struct SplitFile: Sendable, Equatable {
    public var subsets: [String: DataSubset]
    /// Stems in file order (for messages).
    public var order: [String]

    /// Missing stems named in an error before "and N more".
    static let listedStems = 10

    static func subset(_ word: String) -> DataSubset? {
        switch word.lowercased() {
        case "train", "additional": return .train
        case "val", "valid", "validation": return .validation
        case "test": return .test
        default: return nil
        }
    }

    public static func read(_ url: URL) throws -> SplitFile {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw TrainingDataError.badSplitFile(file: url.path, line: 0, reason: "unreadable (\(error.localizedDescription))")
        }
        var out = SplitFile(subsets: [:], order: [])
        var first = true
        for (i, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            defer { first = false }
            let fields = line.split(whereSeparator: { $0 == "," || $0 == "\t" || $0 == " " }).map(String.init)
            guard fields.count >= 2 else {
                throw TrainingDataError.badSplitFile(file: url.path, line: i + 1, reason: "'\(line)' has no subset; expected STEM SUBSET (train, val or test)")
            }
            guard let s = subset(fields[1]) else {
                if first { continue }   // a header row
                throw TrainingDataError.badSplitFile(file: url.path, line: i + 1, reason: "subset '\(fields[1])'; expected train, val, test or additional")
            }
            let stem = fields[0]
            if out.subsets[stem] != nil {
                throw TrainingDataError.badSplitFile(file: url.path, line: i + 1, reason: "'\(stem)' is listed twice")
            }
            out.subsets[stem] = s
            out.order.append(stem)
        }
        guard !out.order.isEmpty else { throw TrainingDataError.badSplitFile(file: url.path, line: 0, reason: "no entries") }
        return out
    }

    /// `pairs` with their subsets from this file. Every stem the file names must be a pair (the error lists all
    /// that are not); pairs the file does not name are left out, and `notes` says how many.
    package func apply(to pairs: [TrainingPair], file: String, notes: inout [String]) throws -> [TrainingPair] {
        let have = Set(pairs.map(\.stem))
        let missing = order.filter { !have.contains($0) }
        if !missing.isEmpty { throw TrainingDataError.splitNamesMissingStems(file: file, missing: missing, pairs: pairs.count) }
        let kept = pairs.compactMap { p -> TrainingPair? in
            guard let s = subsets[p.stem] else { return nil }
            var q = p
            q.subset = s
            return q
        }
        let counts = DataSubset.allCases.map { s in "\(kept.filter { $0.subset == s }.count) \(s.rawValue)" }.joined(separator: ", ")
        notes.append("split: \(file): \(counts)" + (kept.count < pairs.count ? "; \(pairs.count - kept.count) pairs it does not name are left out" : ""))
        return kept
    }
}
