// swift-tools-version:6.0
// libFuzzer targets for a2m's untrusted readers (design.md §9), kept out of the main package's build: this package
// depends on the repository's root package by path. Build and run (docs/reliability.md, "Fuzzing"):
//   cd Tests/Fuzz && swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing
//   .build/debug/FuzzBVH Corpus/FuzzBVH -max_total_time=60
// Debug builds keep every runtime check on (the root package's release settings would not), which is what a fuzzer
// needs to find an out-of-bounds index or an overflow.
import PackageDescription

let targets = ["FuzzSafetensors", "FuzzTrainingState", "FuzzBVH", "FuzzJSON"]

let package = Package(
    name: "a2m-fuzz",
    dependencies: [.package(name: "a2m", path: "../..")],
    targets: [.target(name: "FuzzDriver")] + targets.map { name in
        .executableTarget(name: name, dependencies: ["FuzzDriver", .product(name: "A2MKit", package: "a2m")])
    }
)
