import A2MCore
import A2MMotion
import Foundation

/// The joints gesture statistics need, found on any rig by name and by structure (docs/evaluation.md,
/// "Joint roles"), the same rules as docs/scripts/gesture_stats.py:
/// - wrists: a joint whose name has the word "hand" or "wrist", no finger word, and a side ("Left", "L", "_l",
///   "left" glued on: LeftHand, mixamorig:LeftHand, Hand_L, b_l_wrist, LeftWrist); the one nearest the root;
/// - head: the word "head", no side, not an end joint (Head, not HeadEnd or HeadTop_End);
/// - hips: the word "hips" or "pelvis" with no side; else the word "root" (GENEA's b_root under body_world);
///   else the root joint;
/// - elbow and shoulder: the wrist's nearest ancestors that are not twist/roll helpers (so SeG's
///   LeftShoulder → LeftElbow → LeftWrist and Mixamo's LeftArm → LeftForeArm → LeftHand both work);
/// - chest: the deepest joint above both wrists (where the arms branch off the spine);
/// - fingertips: the leaf joints at least two joints below a wrist that has at least `fingerMinimumJoints`
///   joints below it (ZeroEGGS' LeftForeArmEnd marker, a direct child of the hand, is no finger).
public struct GestureRoles: Sendable, Equatable {
    public enum Side: Int, Sendable, CaseIterable { case left = 0, right = 1 }

    public let hips: Int
    public let chest: Int
    public let head: Int
    /// Indexed by `Side.rawValue`.
    public let wrists: [Int]
    public let elbows: [Int]
    public let shoulders: [Int]
    /// Fingertip joints per side; empty where the hand has no fingers.
    public let fingertips: [[Int]]

    public static let fingerMinimumJoints = 5
    static let fingerWords: Set<String> = ["thumb", "index", "middle", "ring", "pinky", "pinkie", "little", "finger", "fingers",
                                           "end", "tip", "nub", "site", "carpal", "metacarpal", "palm"]
    static let headEndWords: Set<String> = ["end", "top", "nub", "site", "tip"]
    static let twistWords = ["twist", "roll"]

    /// Recognizes the roles of `skeleton`; `file` names the rig in errors.
    public init(skeleton: Skeleton, file: String) throws {
        let names = skeleton.names
        let parents = skeleton.parents
        let words = names.map(Self.words)
        func depth(_ j: Int) -> Int { Self.ancestors(of: j, parents).count }
        func nearestRoot(_ candidates: [Int]) -> Int? { candidates.min { (depth($0), $0) < (depth($1), $1) } }

        var wrists = [Int]()
        for side in Side.allCases {
            let candidates = words.indices.filter { j in
                Self.side(words[j]) == side && (words[j].contains("hand") || words[j].contains("wrist"))
                    && words[j].allSatisfy { !Self.fingerWords.contains($0) }
            }
            guard let w = nearestRoot(candidates) else {
                let s = side == .left ? "Left" : "Right"
                throw GestureStatisticsError.missingRole(
                    file: file, role: "\(s.lowercased()) wrist",
                    expected: "a joint named like \(s)Hand, \(s)Wrist, Hand_\(s.prefix(1)) or mixamorig:\(s)Hand")
            }
            wrists.append(w)
        }
        let heads = words.indices.filter { j in
            words[j].contains("head") && Self.side(words[j]) == nil && words[j].allSatisfy { !Self.headEndWords.contains($0) }
        }
        guard let head = nearestRoot(heads) else {
            throw GestureStatisticsError.missingRole(file: file, role: "head", expected: "a joint named Head (or head, mixamorig:Head)")
        }
        let hipCandidates = words.indices.filter { Self.side(words[$0]) == nil && (words[$0].contains("hips") || words[$0].contains("pelvis")) }
        let rootCandidates = words.indices.filter { Self.side(words[$0]) == nil && words[$0].contains("root") }  // GENEA's b_root
        let hips = nearestRoot(hipCandidates) ?? nearestRoot(rootCandidates) ?? 0

        var elbows = [Int](), shoulders = [Int]()
        for side in Side.allCases {
            let w = wrists[side.rawValue]
            let chain = Self.ancestors(of: w, parents).filter { !Self.isTwist(names[$0]) }
            guard chain.count >= 2 else {
                let s = side == .left ? "left" : "right"
                throw GestureStatisticsError.missingRole(
                    file: file, role: "\(s) shoulder",
                    expected: "an elbow and a shoulder joint above the \(s) wrist '\(names[w])'")
            }
            elbows.append(chain[0])
            shoulders.append(chain[1])
        }
        let rightAncestors = Set(Self.ancestors(of: wrists[1], parents))
        guard let chest = Self.ancestors(of: wrists[0], parents).first(where: rightAncestors.contains) else {
            throw GestureStatisticsError.missingRole(file: file, role: "chest", expected: "the two wrists to hang from one spine (they share no ancestor)")
        }
        guard !(shoulders + elbows).contains(chest) else {
            throw GestureStatisticsError.missingRole(
                file: file, role: "shoulder",
                expected: "the arms of '\(names[wrists[0]])' and '\(names[wrists[1]])' to branch from a spine joint")
        }
        var children = [[Int]](repeating: [], count: names.count)
        for (j, p) in parents.enumerated() { if let p { children[p].append(j) } }
        let fingertips = wrists.map { w -> [Int] in
            var below = [(joint: Int, depth: Int)](), todo = children[w].map { ($0, 1) }
            while let (j, d) = todo.popLast() {
                below.append((j, d))
                todo += children[j].map { ($0, d + 1) }
            }
            // A fingertip ends a chain of at least two joints below the wrist (a lone marker child is not a finger).
            guard below.count >= Self.fingerMinimumJoints else { return [] }
            return below.filter { children[$0.joint].isEmpty && $0.depth >= 2 }.map(\.joint).sorted()
        }
        self.hips = hips
        self.chest = chest
        self.head = head
        self.wrists = wrists
        self.elbows = elbows
        self.shoulders = shoulders
        self.fingertips = fingertips
    }

    /// Lower-case words of a joint name: the namespace dropped (mixamorig:LeftHand → LeftHand), split at
    /// separators, case changes and digits, and a glued "left"/"right" split off (lefthand → left, hand).
    public static func words(_ name: String) -> [String] {
        let base = String(name.split(separator: ":", omittingEmptySubsequences: false).last ?? "")
        let short = String(base.split(separator: "|", omittingEmptySubsequences: false).last ?? "")
        let ns = short as NSString
        let matches = wordPattern.matches(in: short, range: NSRange(location: 0, length: ns.length))
        var out = [String]()
        for m in matches {
            var w = ns.substring(with: m.range).lowercased()
            for side in ["left", "right"] where w.hasPrefix(side) && w.count > side.count {
                out.append(side)
                w = String(w.dropFirst(side.count))
                break
            }
            out.append(w)
        }
        return out
    }

    // The same expression as gesture_stats.py's tokens(): an acronym before a capitalized word, a word, an
    // acronym, a number.
    static let wordPattern = try! NSRegularExpression(pattern: "[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

    static func side(_ words: [String]) -> Side? {
        if words.contains("left") || words.contains("l") { return .left }
        if words.contains("right") || words.contains("r") { return .right }
        return nil
    }

    static func isTwist(_ name: String) -> Bool {
        let low = name.lowercased()
        return twistWords.contains { low.contains($0) }
    }

    /// Parent, grandparent, ... up to the root.
    static func ancestors(of joint: Int, _ parents: [Int?]) -> [Int] {
        var out = [Int](), j = joint
        while let p = parents[j] {
            out.append(p)
            j = p
        }
        return out
    }
}
