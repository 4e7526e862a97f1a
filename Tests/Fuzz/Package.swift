// swift-tools-version:6.0
// libFuzzer targets for a2m's untrusted readers (design.md §9), kept out of the main package's build: this package
// depends on the repository's root package by path. Build and run (docs/reliability.md, "Fuzzing"):
//   cd Tests/Fuzz && swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing
//   .build/debug/FuzzBVH Corpus/FuzzBVH -max_total_time=60
// Debug builds keep `assert`s on as well as every runtime check (release builds keep bounds, overflow and
// precondition checks; docs/architecture.md, "Runtime checks"), and give the sanitizer exact line numbers.
import PackageDescription

let targets = ["FuzzSafetensors", "FuzzTrainingState", "FuzzBVH", "FuzzJSON"]

let package = Package(
    name: "a2m-fuzz",
    dependencies: [.package(name: "a2m", path: "../..")],
    // APIClient: an app's use of the library through `import A2MKit` alone (no @testable): it builds only if the
    // public API is enough. Compiled with the fuzz targets, never run.
    targets: [.target(name: "FuzzDriver"), .target(name: "APIClient", dependencies: [.product(name: "A2MKit", package: "a2m")])] + targets.map { name in
        .executableTarget(name: name, dependencies: ["FuzzDriver", .product(name: "A2MKit", package: "a2m")])
    }
)
