import Testing
import Foundation

/// The repository carries no knowledge of one machine: no path into a home or work folder, and no reference to
/// a folder beside the checkout (`../shared`). Scratch files in examples may use /tmp, which every Unix has.
@Suite struct MachinePathTests {
    static let folders = ["Sources", "Tests", "docs", "Configs", "Motions", ".ci"]
    static let topFiles = ["README.md", "Package.swift"]
    static let textExtensions: Set<String> = ["swift", "md", "py", "json", "sh", "c", "h", "txt", "yml", "yaml", "html", "js", "modulemap", ""]
    /// Larger files are data (fixtures, reference statistics written by tools), read only up to here.
    static let maxBytes = 4 << 20
    static let forbidden = ["/work/", "/home/", "/Users/", "/root/", "../shared", "/mnt/"]

    @Test func noMachinePathInTheRepository() throws {
        let root = DocumentationLinkTests.repository
        var files: [String] = Self.topFiles
        for folder in Self.folders {
            guard let walk = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path) else { continue }
            for case let path as String in walk where Self.textExtensions.contains((path as NSString).pathExtension) {
                // Hidden folders hold build output (Tests/Fuzz/.build), which is not part of the repository.
                if path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                files.append(folder + "/" + path)
            }
        }
        var hits: [String] = []
        var read = 0
        for file in files.sorted() {
            let url = root.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path), !data.isEmpty,
                  let text = String(data: data.prefix(Self.maxBytes), encoding: .utf8) else { continue }
            read += 1
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for needle in Self.forbidden where line.contains(needle) {
                    // This file names the patterns it looks for.
                    if file.hasSuffix("MachinePathTests.swift") { continue }
                    hits.append("\(file):\(i + 1): \(needle)")
                }
            }
        }
        #expect(read > 100, "read only \(read) files")
        #expect(hits.isEmpty, "\(hits.count) machine paths: \(hits.prefix(20))")
    }
}
