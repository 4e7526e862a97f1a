import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// How a training data folder is organized: where the audio and BVH files are, and the dataset's own
/// train/validation/test split where it has one. The folder trees of the presets are those the datasets'
/// official archives unpack to (docs/training.md, "Data layout").
public enum DatasetLayout: String, Sendable, CaseIterable, Codable {
    /// Pick one of the others from the folder's contents, and say which.
    case auto
    /// Pairs by stem anywhere below the folder.
    case recursive
    /// Pairs by stem in the folder itself only.
    case flat
    /// ZeroEGGS: `clean/` (aligned audio and BVH); `info.csv`'s `validation` column when it is found.
    case zeggs
    /// BEAT (speaker folders `1/` … `30/`) or BEAT2 (`wave16k/` + `train_test_split.csv`).
    case beat
    /// GENEA 2022/2023: `trn/` (training) and `val/` (validation), 2023's `main-agent` only; `tst/` left out.
    case genea
    /// Trinity Speech-Gesture (GENEA 2020): `Training_data/{Audio,Motion}`; `Test_data/` left out.
    case trinity
}

/// The pairs of a data folder, with the layout that found them and what the user should know about it.
package struct DatasetIndex: Sendable {
    package var layout: DatasetLayout
    /// Every pair, sorted by stem; `subset` set where the dataset's split (or a split file) says.
    package var pairs: [TrainingPair]
    /// One line per decision worth telling (which layout, which folders, which split, what was left out).
    package var notes: [String]
}

extension DatasetLayout {
    /// Finds the pairs of `directory` in this layout (`.auto` first detects the layout). `excluding` folders are
    /// never entered (the run's output folder when it lies inside the data). Throws with every unpaired file
    /// named, or with what the layout expected when its folders are missing.
    package func scan(_ directory: URL, excluding: [URL] = []) throws -> DatasetIndex {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw TrainingDataError.notADirectory(path: directory.path)
        }
        if self == .auto {
            let (layout, why) = DatasetLayout.detect(directory)
            var index = try layout.scan(directory, excluding: excluding)
            index.notes.insert("layout: \(layout.rawValue) (\(why); --layout chooses another)", at: 0)
            return index
        }
        let fm = FileManager.default
        func dir(_ u: URL) -> Bool { var d: ObjCBool = false; return fm.fileExists(atPath: u.path, isDirectory: &d) && d.boolValue }
        func all(_ root: URL) throws -> [URL] { try TrainingPairs.files(in: root, recursive: true, excluding: excluding) }
        switch self {
        case .auto:
            preconditionFailure("handled above")
        case .flat:
            return DatasetIndex(layout: self, pairs: try TrainingPairs.scan(directory), notes: [])
        case .recursive:
            return DatasetIndex(layout: self, pairs: try TrainingPairs.pair(all(directory), root: directory), notes: [])
        case .zeggs:
            guard let clean = DatasetLayout.find("clean", in: directory) else {
                throw TrainingDataError.layoutMismatch(directory: directory.path, layout: rawValue,
                                                       expected: "a clean/ folder (ZeroEGGS's Zeggs_data.zip unpacks to clean/ and original/)")
            }
            var pairs = try TrainingPairs.pair(all(clean), root: clean)
            var notes = ["zeggs: \(pairs.count) pairs in \(clean.path) (original/ is not aligned and is left out)"]
            if let info = [directory, directory.deletingLastPathComponent(), clean.deletingLastPathComponent()]
                .map({ $0.appendingPathComponent("info.csv") }).first(where: { fm.fileExists(atPath: $0.path) }) {
                let validation = try ZeggsInfo.validationStems(info)
                for i in pairs.indices {
                    let take = ZeggsInfo.take(of: pairs[i].stem)
                    if let v = validation[take] { pairs[i].subset = v ? .validation : .train }
                }
                let held = pairs.filter { $0.subset == .validation }.count
                notes.append("zeggs: validation files from \(info.path) (its validation column): \(held) of \(pairs.count)")
            }
            return DatasetIndex(layout: self, pairs: pairs, notes: notes)
        case .beat:
            // BEAT2's files sit in beat_english_v2.0.0/ (or wherever train_test_split.csv or wave16k/ is); BEAT's in
            // speaker folders 1/ … 30/ of beat_english_v0.2.1/.
            let base = DatasetLayout.beatRoot(directory) ?? directory
            let split = base.appendingPathComponent("train_test_split.csv")
            let wave = base.appendingPathComponent("wave16k")
            var files: [URL]
            var notes: [String] = []
            if dir(wave) {
                // BEAT2: audio in wave16k/, motion as SMPL-X .npz (smplxflame_30/), which a2m cannot read; BVH files
                // with the same names (BEAT v0.2.1's) may be put anywhere else under the folder.
                let motion = try all(base).filter { $0.pathExtension.lowercased() == "bvh" }
                guard !motion.isEmpty else {
                    throw TrainingDataError.layoutMismatch(directory: directory.path, layout: rawValue,
                        expected: "BVH motion: BEAT2 ships SMPL-X motion (smplxflame_30/*.npz), which a2m does not read; put BEAT v0.2.1's BVH files (the same names) in a folder under \(base.path), e.g. bvh/")
                }
                files = try all(wave) + motion
                notes.append("beat: BEAT2 audio in \(wave.path), \(motion.count) BVH files")
            } else {
                files = try all(base)
            }
            var pairs = try TrainingPairs.pair(files, root: base)
            if fm.fileExists(atPath: split.path) {
                let s = try SplitFile.read(split)
                pairs = try s.apply(to: pairs, file: split.path, notes: &notes)
            }
            return DatasetIndex(layout: self, pairs: pairs, notes: notes)
        case .genea:
            guard let trn = DatasetLayout.find("trn", in: directory) else {
                throw TrainingDataError.layoutMismatch(directory: directory.path, layout: rawValue, expected: "trn/ and val/ folders (GENEA 2022/2023)")
            }
            let val = trn.deletingLastPathComponent().appendingPathComponent("val")
            var pairs: [TrainingPair] = []
            var notes: [String] = []
            for (folder, subset) in [(trn, DataSubset.train), (val, .validation)] where dir(folder) {
                // GENEA 2023 has main-agent/ and interloctr/ below each split; the main agent is the one to learn.
                let agent = folder.appendingPathComponent("main-agent")
                let root = dir(agent) ? agent : folder
                let found = try TrainingPairs.pair(all(root), root: root)
                pairs += found.map { var p = $0; p.subset = subset; return p }
                notes.append("genea: \(found.count) \(subset == .train ? "training" : "validation") pairs in \(root.path)")
            }
            if dir(trn.deletingLastPathComponent().appendingPathComponent("tst")) { notes.append("genea: tst/ (the test inputs) is left out") }
            return DatasetIndex(layout: self, pairs: try DatasetLayout.checkUniqueStems(pairs), notes: notes)
        case .trinity:
            let training = DatasetLayout.find("Training_data", in: directory) ?? directory
            guard dir(training.appendingPathComponent("Audio")), dir(training.appendingPathComponent("Motion")) else {
                throw TrainingDataError.layoutMismatch(directory: directory.path, layout: rawValue,
                                                       expected: "Training_data/Audio and Training_data/Motion (the GENEA 2020 release of the Trinity Speech-Gesture dataset)")
            }
            let pairs = try TrainingPairs.pair(all(training.appendingPathComponent("Audio")) + all(training.appendingPathComponent("Motion")), root: training)
            var notes = ["trinity: \(pairs.count) pairs in \(training.path)"]
            if dir(training.deletingLastPathComponent().appendingPathComponent("Test_data")) { notes.append("trinity: Test_data/ is left out") }
            return DatasetIndex(layout: self, pairs: pairs, notes: notes)
        }
    }

    /// The layout of `directory` and why, from the folders the presets' archives unpack to.
    static func detect(_ directory: URL) -> (DatasetLayout, String) {
        let fm = FileManager.default
        func dir(_ u: URL) -> Bool { var d: ObjCBool = false; return fm.fileExists(atPath: u.path, isDirectory: &d) && d.boolValue }
        if let trn = find("trn", in: directory), dir(trn.deletingLastPathComponent().appendingPathComponent("val")) {
            return (.genea, "found \(relative(trn, to: directory))/ and val/")
        }
        if let t = find("Training_data", in: directory), dir(t.appendingPathComponent("Audio")), dir(t.appendingPathComponent("Motion")) {
            return (.trinity, "found \(relative(t, to: directory))/Audio and Motion")
        }
        if let clean = find("clean", in: directory) {
            return (.zeggs, "found \(relative(clean, to: directory))/")
        }
        if let b = beatRoot(directory) {
            return (.beat, "found BEAT's folders in \(b.path == directory.path ? "the data folder" : relative(b, to: directory) + "/")")
        }
        return (.recursive, "no dataset's folders found; pairing by file name anywhere below")
    }

    /// The folder holding BEAT2's train_test_split.csv or wave16k/, or BEAT's numbered speaker folders: `directory`
    /// or one of its folders (the archive's beat_english_v… folder).
    static func beatRoot(_ directory: URL) -> URL? {
        let fm = FileManager.default
        func dir(_ u: URL) -> Bool { var d: ObjCBool = false; return fm.fileExists(atPath: u.path, isDirectory: &d) && d.boolValue }
        func isBeat(_ u: URL) -> Bool {
            if fm.fileExists(atPath: u.appendingPathComponent("train_test_split.csv").path) || dir(u.appendingPathComponent("wave16k")) { return true }
            let subs = ((try? fm.contentsOfDirectory(atPath: u.path)) ?? []).filter { !$0.hasPrefix(".") && dir(u.appendingPathComponent($0)) }
            return !subs.isEmpty && subs.allSatisfy { Int($0) != nil }
        }
        if isBeat(directory) { return directory }
        let subs = ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return subs.map { directory.appendingPathComponent($0) }.first { dir($0) && isBeat($0) }
    }

    /// `name` as `directory` itself, a folder in it, or a folder one level further down (archives that unpack
    /// into a folder of their own, e.g. genea2023_dataset/trn).
    static func find(_ name: String, in directory: URL) -> URL? {
        let fm = FileManager.default
        func dir(_ u: URL) -> Bool { var d: ObjCBool = false; return fm.fileExists(atPath: u.path, isDirectory: &d) && d.boolValue }
        if directory.lastPathComponent == name { return directory }
        let direct = directory.appendingPathComponent(name)
        if dir(direct) { return direct }
        let subs = ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return subs.map { directory.appendingPathComponent($0).appendingPathComponent(name) }.first(where: dir)
    }

    static func relative(_ url: URL, to root: URL) -> String {
        let p = url.path, r = root.path
        return p.hasPrefix(r + "/") ? String(p.dropFirst(r.count + 1)) : p
    }

    static func checkUniqueStems(_ pairs: [TrainingPair]) throws -> [TrainingPair] {
        var seen: [String: TrainingPair] = [:]
        for p in pairs {
            if let q = seen[p.stem] { throw TrainingDataError.duplicateStem(stem: p.stem, files: [q.bvh.path, p.bvh.path]) }
            seen[p.stem] = p
        }
        return pairs.sorted { $0.stem < $1.stem }
    }
}

/// ZeroEGGS's `info.csv` (in the repository's data/ folder, beside the archive): one row per take, with the
/// BVH name in `anim_bvh` and TRUE/FALSE in `validation`.
enum ZeggsInfo {
    /// anim_bvh stem → is a validation take.
    static func validationStems(_ url: URL) throws -> [String: Bool] {
        let rows = try CSVTable.read(url)
        guard let bvh = rows.column("anim_bvh"), let valid = rows.column("validation") else {
            throw TrainingDataError.badSplitFile(file: url.path, line: 1, reason: "expected the columns anim_bvh and validation")
        }
        var out: [String: Bool] = [:]
        for r in rows.rows.indices {
            let name = rows.rows[r][bvh].trimmingCharacters(in: .whitespaces)
            out[(name as NSString).deletingPathExtension] = rows.rows[r][valid].trimmingCharacters(in: .whitespaces).uppercased() == "TRUE"
        }
        return out
    }

    /// The take a clean/ file belongs to: its stem without the time-stretch suffix `_x_<ratio>` (`_x_1_0`, `_x_0_9`).
    static func take(of stem: String) -> String {
        guard let r = stem.range(of: "_x_", options: .backwards) else { return stem }
        let tail = stem[r.upperBound...]
        return tail.allSatisfy({ $0.isNumber || $0 == "_" }) && !tail.isEmpty ? String(stem[..<r.lowerBound]) : stem
    }
}

/// A small comma-separated table with a header row (ZeroEGGS's info.csv, BEAT2's train_test_split.csv).
struct CSVTable {
    var header: [String]
    var rows: [[String]]

    func column(_ name: String) -> Int? { header.firstIndex { $0.trimmingCharacters(in: .whitespaces) == name } }

    static func read(_ url: URL) throws -> CSVTable {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw TrainingDataError.badSplitFile(file: url.path, line: 0, reason: "unreadable (\(error.localizedDescription))")
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let first = lines.first else { throw TrainingDataError.badSplitFile(file: url.path, line: 1, reason: "empty") }
        let header = first.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var rows: [[String]] = []
        for (i, line) in lines.dropFirst().enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count >= header.count else {
                throw TrainingDataError.badSplitFile(file: url.path, line: i + 2, reason: "\(cells.count) fields, expected \(header.count)")
            }
            rows.append(cells)
        }
        return CSVTable(header: header, rows: rows)
    }
}
