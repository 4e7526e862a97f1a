import Testing
import Foundation

/// The manual's links resolve: every relative link and image in README.md and the Markdown files under docs/
/// and Motions/ names a file or folder of the repository, and a `#fragment` into a Markdown file names one of
/// its headings (GitHub's anchor rule). README links every page of the manual (docs/*.md).
@Suite struct DocumentationLinkTests {
    static let repository: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path), dir.path != "/" {
            dir.deleteLastPathComponent()
        }
        return dir
    }()

    struct Link: CustomStringConvertible {
        let file: String, line: Int, target: String
        var description: String { "\(file):\(line): \(target)" }
    }

    /// README.md and every .md under docs/ and Motions/, as paths relative to the repository.
    static func markdownFiles() throws -> [String] {
        var files = ["README.md"]
        for folder in ["docs", "Motions"] {
            let root = repository.appendingPathComponent(folder)
            guard let walk = FileManager.default.enumerator(atPath: root.path) else { continue }
            for case let path as String in walk where path.hasSuffix(".md") { files.append(folder + "/" + path) }
        }
        return files.sorted()
    }

    /// Inline links and images `[text](target)` / `![alt](target)` outside fenced code blocks and code spans.
    static func links(in file: String) throws -> [Link] {
        let text = try String(contentsOf: repository.appendingPathComponent(file), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)"#)
        var out: [Link] = [], fenced = false
        for (i, raw) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fenced.toggle(); continue }
            if fenced { continue }
            let line = withoutCodeSpans(raw)
            let ns = line as NSString
            for m in pattern.matches(in: line, range: NSRange(location: 0, length: ns.length)) {
                out.append(Link(file: file, line: i + 1, target: ns.substring(with: m.range(at: 1))))
            }
        }
        return out
    }

    static func withoutCodeSpans(_ line: String) -> String {
        var out = "", inCode = false
        for c in line {
            if c == "`" { inCode.toggle(); continue }
            if !inCode { out.append(c) }
        }
        return out
    }

    /// GitHub's heading anchors, in order: lower case, every character but letters, marks, digits, `_`, `-` and
    /// spaces removed, spaces turned into `-`; a repeated anchor gets `-1`, `-2`, ...
    static func anchors(in text: String) throws -> [String] {
        let linkText = try NSRegularExpression(pattern: #"\[([^\]]*)\]\([^)]*\)"#)
        var seen: [String: Int] = [:], result: [String] = [], fenced = false
        for raw in text.components(separatedBy: "\n") {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fenced.toggle(); continue }
            guard !fenced, raw.hasPrefix("#") else { continue }
            var heading = String(raw.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)
            let ns = heading as NSString
            heading = linkText.stringByReplacingMatches(in: heading, range: NSRange(location: 0, length: ns.length), withTemplate: "$1")
            var slug = ""
            for scalar in heading.lowercased().unicodeScalars {
                if scalar == " " { slug.append("-") } else if scalar == "-" || scalar == "_" || CharacterSet.alphanumerics.contains(scalar) {
                    slug.unicodeScalars.append(scalar)
                }
            }
            let n = seen[slug, default: 0]
            seen[slug] = n + 1
            result.append(n == 0 ? slug : "\(slug)-\(n)")
        }
        return result
    }

    static func anchors(of file: String) throws -> Set<String> {
        Set(try anchors(in: String(contentsOf: repository.appendingPathComponent(file), encoding: .utf8)))
    }

    /// Why `link` does not resolve, or nil when it does.
    static func problem(_ link: Link) throws -> String? {
        let target = link.target
        if target.contains("://") || target.hasPrefix("mailto:") { return nil }
        let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let pathPart = parts[0].removingPercentEncoding ?? parts[0], fragment = parts.count > 1 ? parts[1] : nil
        if pathPart.hasPrefix("/") { return "absolute path" }
        let base = repository.appendingPathComponent(link.file).deletingLastPathComponent()
        let resolved = pathPart.isEmpty ? repository.appendingPathComponent(link.file) : base.appendingPathComponent(pathPart).standardizedFileURL
        let root = repository.standardizedFileURL.path
        guard resolved.path == root || resolved.path.hasPrefix(root + "/") else { return "outside the repository" }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDirectory) else { return "no such file" }
        if let fragment, resolved.pathExtension == "md", !isDirectory.boolValue {
            let relative = String(resolved.path.dropFirst(root.count + 1))
            guard try anchors(of: relative).contains(fragment) else { return "no heading with anchor #\(fragment)" }
        }
        return nil
    }

    @Test func everyRelativeLinkResolves() throws {
        let files = try Self.markdownFiles()
        #expect(files.contains("docs/design.md") && files.contains("docs/model_card.md"), "found \(files)")
        var checked = 0, broken: [String] = []
        for file in files {
            for link in try Self.links(in: file) {
                checked += 1
                if let why = try Self.problem(link) { broken.append("\(link) (\(why))") }
            }
        }
        #expect(checked > 30, "only \(checked) links found: is the scanner still reading the docs?")
        #expect(broken.isEmpty, "\(broken.count) of \(checked) links are broken:\n\(broken.joined(separator: "\n"))")
    }

    @Test func readmeLinksEveryManualPage() throws {
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.repository.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted()
        let linked = Set(try Self.links(in: "README.md").map { $0.target.split(separator: "#").first.map(String.init) ?? "" })
        let missing = pages.filter { !linked.contains("docs/" + $0) }
        #expect(pages.count >= 12, "docs/ has only \(pages)")
        #expect(missing.isEmpty, "README.md does not link: \(missing.joined(separator: ", "))")
    }

    /// The scanner itself: a link inside a code span or a fenced block is not a link; anchors follow GitHub.
    @Test func scannerAndAnchorRules() throws {
        #expect(Self.withoutCodeSpans("see `[x](nowhere.md)` and [y](there.md)") == "see  and [y](there.md)")
        let text = "# Title\n## 4. Classifier-free guidance\n## A 2.5× corpus (`x`), [link](y.md)\n## Title\n```\n# not a heading\n```\n"
        #expect(try Self.anchors(in: text) == ["title", "4-classifier-free-guidance", "a-25-corpus-x-link", "title-1"])
        let broken = Link(file: "README.md", line: 1, target: "docs/no-such-page.md")
        #expect(try Self.problem(broken) == "no such file")
        #expect(try Self.problem(Link(file: "README.md", line: 1, target: "docs/design.md#no-such-heading")) == "no heading with anchor #no-such-heading")
        #expect(try Self.problem(Link(file: "docs/design.md", line: 1, target: "../../outside.md")) == "outside the repository")
        #expect(try Self.problem(Link(file: "docs/design.md", line: 1, target: "model_card.md#limits")) == nil)
    }
}
