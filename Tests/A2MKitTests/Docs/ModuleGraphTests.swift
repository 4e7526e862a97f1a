import Testing
import Foundation

/// The module graph is the one Package.swift declares, it has no cycle, and docs/architecture.md states it.
/// SwiftPM refuses a cycle between targets, but a source file can still import a module its target reaches
/// only through another one; these checks keep the declared graph the real one, and keep the folder layers
/// inside a module (A2MNN: NN below Diffusion) that the compiler cannot see.
@Suite struct ModuleGraphTests {
    static let repository = DocumentationLinkTests.repository

    /// Library targets of Package.swift (`.target(name:dependencies:)`), each with its declared dependencies.
    static func declaredGraph() throws -> [String: Set<String>] {
        let text = try String(contentsOf: repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        let target = try NSRegularExpression(pattern: #"\.target\(\s*name:\s*"(\w+)"(?:\s*,\s*dependencies:\s*\[([^\]]*)\])?"#)
        let quoted = try NSRegularExpression(pattern: #""(\w+)""#)
        let ns = text as NSString
        var graph: [String: Set<String>] = [:]
        for m in target.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let name = ns.substring(with: m.range(at: 1))
            var deps = Set<String>()
            if m.range(at: 2).location != NSNotFound {
                let list = ns.substring(with: m.range(at: 2)) as NSString
                for d in quoted.matches(in: list as String, range: NSRange(location: 0, length: list.length)) {
                    deps.insert(list.substring(with: d.range(at: 1)))
                }
            }
            graph[name] = deps
        }
        return graph
    }

    /// The Swift modules of Sources/ (the C targets hold no Swift).
    static func swiftModules(_ graph: [String: Set<String>]) -> [String] {
        graph.keys.filter { $0.hasPrefix("A2M") }.sorted()
    }

    static func swiftFiles(under folder: URL) -> [URL] {
        guard let walk = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        return walk.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    @Test func packageDeclaresTheModules() throws {
        let graph = try Self.declaredGraph()
        // A parse that finds nothing would make every check below pass.
        for module in ["A2MCore", "A2MAudio", "A2MMotion", "A2MNN", "A2MGeneration", "A2MTraining", "A2MKit"] {
            #expect(graph[module] != nil, "Package.swift has no target \(module)")
        }
        for (name, deps) in graph {
            for d in deps { #expect(graph[d] != nil || d.hasPrefix("C"), "\(name) depends on \(d), which is not a target") }
        }
    }

    /// Depth-first search; a back edge is a cycle, printed as its path.
    @Test func theGraphHasNoCycle() throws {
        let graph = try Self.declaredGraph()
        var state: [String: Int] = [:]  // 1 on the stack, 2 done
        var cycles: [String] = []
        func visit(_ n: String, _ path: [String]) {
            state[n] = 1
            for d in (graph[n] ?? []).sorted() {
                if state[d] == 1 { cycles.append((path + [n, d]).joined(separator: " → ")) }
                else if state[d] == nil { visit(d, path + [n]) }
            }
            state[n] = 2
        }
        for n in graph.keys.sorted() where state[n] == nil { visit(n, []) }
        #expect(cycles.isEmpty, "cycles: \(cycles)")
    }

    /// Every `import` of a package module in Sources/<Module> names one of that module's declared dependencies.
    @Test func importsAreDeclaredDependencies() throws {
        let graph = try Self.declaredGraph()
        let importLine = try NSRegularExpression(pattern: #"^\s*(?:@_exported\s+|@testable\s+)?(?:public\s+|package\s+|internal\s+)?import\s+(\w+)"#,
                                                 options: .anchorsMatchLines)
        var undeclared: [String] = []
        var files = 0
        for module in Self.swiftModules(graph) {
            for file in Self.swiftFiles(under: Self.repository.appendingPathComponent("Sources/\(module)")) {
                files += 1
                let text = try String(contentsOf: file, encoding: .utf8)
                let ns = text as NSString
                for m in importLine.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                    let imported = ns.substring(with: m.range(at: 1))
                    if graph[imported] != nil, !(graph[module]?.contains(imported) ?? false) {
                        undeclared.append("Sources/\(module)/\(file.lastPathComponent) imports \(imported)")
                    }
                }
            }
        }
        #expect(files > 50, "found only \(files) source files")
        #expect(undeclared.isEmpty, "imports Package.swift does not declare: \(undeclared)")
    }

    /// Folders inside one module, lowest first: a folder never names a top-level type declared in a folder above it
    /// (nested types such as `CodingKeys` are local to their type).
    static let folderLayers: [String: [String]] = ["A2MNN": ["NN", "Diffusion"]]

    @Test func foldersInsideAModuleAreLayered() throws {
        let declaration = try NSRegularExpression(
            pattern: #"^(?:(?:public|package|internal|fileprivate|private|final|indirect)\s+)*(?:class|struct|enum|protocol|actor|typealias)\s+([A-Z]\w*)"#,
            options: .anchorsMatchLines)
        var crossings: [String] = []
        for (module, layers) in Self.folderLayers {
            let root = Self.repository.appendingPathComponent("Sources/\(module)")
            var declaredIn: [String: Int] = [:]
            for (level, folder) in layers.enumerated() {
                for file in Self.swiftFiles(under: root.appendingPathComponent(folder)) {
                    let text = try String(contentsOf: file, encoding: .utf8)
                    let ns = text as NSString
                    for m in declaration.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                        declaredIn[ns.substring(with: m.range(at: 1))] = level
                    }
                }
            }
            #expect(declaredIn.values.contains(layers.count - 1), "\(module): no declaration found in \(layers.last!)")
            for (level, folder) in layers.enumerated() {
                for file in Self.swiftFiles(under: root.appendingPathComponent(folder)) {
                    let text = try String(contentsOf: file, encoding: .utf8)
                    let words = Set(text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
                    for word in words.sorted() {
                        if let above = declaredIn[word], above > level {
                            crossings.append("\(module)/\(folder)/\(file.lastPathComponent) names \(word) of \(layers[above])/")
                        }
                    }
                }
            }
        }
        #expect(crossings.isEmpty, "\(crossings)")
    }

    /// docs/architecture.md's module table (`| A2MX | deps |` rows) lists each module with exactly its
    /// Package.swift dependencies, and every Swift module has a row.
    @Test func architectureDocStatesTheGraph() throws {
        let graph = try Self.declaredGraph()
        let doc = try String(contentsOf: Self.repository.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var documented: [String: Set<String>] = [:]
        for line in doc.components(separatedBy: "\n") where line.hasPrefix("| `A2M") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let deps = cells[1].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "` ")) }
            documented[name] = Set(deps.filter { !$0.isEmpty && $0 != "—" })
        }
        for module in Self.swiftModules(graph) {
            #expect(documented[module] == graph[module],
                    "docs/architecture.md: \(module) depends on \(documented[module].map { $0.sorted() } ?? []), Package.swift says \((graph[module] ?? []).sorted())")
        }
        #expect(Set(documented.keys) == Set(Self.swiftModules(graph)), "documented \(documented.keys.sorted())")
    }

    /// The diagram's `layer N` lines place every module but the umbrella, and each dependency points to a lower layer.
    @Test func architectureDocLayersMatchTheGraph() throws {
        let graph = try Self.declaredGraph()
        let doc = try String(contentsOf: Self.repository.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var layer: [String: Int] = [:]
        for line in doc.components(separatedBy: "\n") {
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 3, words[0] == "layer", let n = Int(words[1]) else { continue }
            for w in words.dropFirst(2) { layer[w] = n }
        }
        let placed = Set(Self.swiftModules(graph)).subtracting(["A2MKit"])
        #expect(Set(layer.keys) == placed, "layers place \(layer.keys.sorted()), modules are \(placed.sorted())")
        var upward: [String] = []
        for (module, deps) in graph {
            guard let l = layer[module] else { continue }
            for d in deps { if let k = layer[d], k >= l { upward.append("\(module) (layer \(l)) → \(d) (layer \(k))") } }
        }
        #expect(upward.isEmpty, "\(upward.sorted())")
    }
}
