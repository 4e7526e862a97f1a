// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Open MPI is optional. When its pkg-config file `ompi.pc` is installed (Debian: libopenmpi-dev) the `a2m` binary
/// is built with the CMPI system-library target and the `A2M_MPI` condition, and trains data-parallel under
/// `mpirun`; without it a2m builds and runs as before, one process. `A2M_MPI=0` (or `=1`) in the environment
/// overrides the check; docs/training.md ("Data-parallel training") says why this is decided here, in the manifest.
func openMPIInstalled() -> Bool {
    if let forced = Context.environment["A2M_MPI"] { return forced != "0" }
    let searched = (Context.environment["PKG_CONFIG_PATH"] ?? "").split(separator: ":").map(String.init)
        + ["/usr/lib/x86_64-linux-gnu/pkgconfig", "/usr/lib/aarch64-linux-gnu/pkgconfig", "/usr/lib64/pkgconfig", "/usr/lib/pkgconfig",
           "/usr/local/lib/pkgconfig", "/usr/share/pkgconfig", "/opt/homebrew/lib/pkgconfig"]
    return searched.contains { FileManager.default.fileExists(atPath: $0 + "/ompi.pc") }
}
let mpi = openMPIInstalled()

let package = Package(
    name: "a2m",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "a2m", targets: ["a2m"]),
        .library(name: "A2MKit", targets: ["A2MKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Debian: libsndfile1-dev, libfftw3-dev, libopenblas-dev, libsoxr-dev (see .ci/run).
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        // cblas.h lives in /usr/include/<triple>/openblas-pthread/ and is only found through this pkg-config.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        // Contact-sheet PNGs (a2m preview): libpng's simplified png_image API, no setjmp needed.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        // Softmax and GELU built for baseline x86-64 and for AVX2, picked at run time (bit-identical results).
        .target(name: "CKernels"),
        // The pipeline's stages, one module each; the compiler enforces this graph (docs/architecture.md).
        .target(name: "A2MCore", dependencies: ["COpenBLAS", "CKernels"]),
        .target(name: "A2MAudio", dependencies: ["A2MCore", "CSndFile", "CFFTW", "CSoxr"]),
        .target(name: "A2MMotion", dependencies: ["A2MCore"]),
        .target(name: "A2MNN", dependencies: ["A2MCore", "COpenBLAS", "CKernels"]),
        .target(name: "A2MGeneration", dependencies: ["A2MCore", "A2MAudio", "A2MMotion", "A2MNN"]),
        .target(name: "A2MTraining", dependencies: ["A2MCore", "A2MAudio", "A2MMotion", "A2MNN", "A2MGeneration"]),
        .target(name: "A2MCorpus", dependencies: ["A2MCore", "A2MAudio", "A2MMotion"]),
        .target(name: "A2MEvaluation", dependencies: ["A2MCore", "A2MAudio", "A2MMotion", "A2MNN", "A2MGeneration", "A2MCorpus"]),
        .target(name: "A2MView", dependencies: ["A2MCore", "A2MAudio", "A2MMotion", "CPNG"]),
        // Motion onto other skeletons (BVH, glTF and VRM rigs, humanoid name maps), then out as glTF and VRMA.
        .target(name: "A2MRetarget", dependencies: ["A2MCore", "A2MMotion"]),
        .target(name: "A2MExport", dependencies: ["A2MCore", "A2MMotion", "A2MRetarget"]),
        // Live audio in, motion out (a2m stream): live features, OSC/VMC, JSON lines.
        .target(name: "A2MLive", dependencies: ["A2MCore", "A2MAudio", "A2MMotion", "A2MNN", "A2MGeneration", "A2MRetarget", "A2MExport"]),
        // The library product an app imports: re-exports every module above.
        .target(
            name: "A2MKit",
            dependencies: ["A2MCore", "A2MAudio", "A2MMotion", "A2MNN", "A2MGeneration", "A2MTraining", "A2MEvaluation", "A2MCorpus", "A2MView",
                           "A2MRetarget", "A2MExport", "A2MLive"]
        ),
        .executableTarget(
            name: "a2m",
            dependencies: ["A2MKit", .product(name: "ArgumentParser", package: "swift-argument-parser")] + (mpi ? ["CMPI"] : []),
            swiftSettings: mpi ? [.define("A2M_MPI")] : []
        ),
        .testTarget(
            name: "A2MKitTests",
            dependencies: ["A2MKit", "A2MCore", "A2MAudio", "A2MMotion", "A2MNN", "A2MGeneration", "A2MTraining",
                           "A2MEvaluation", "A2MCorpus", "A2MView", "A2MRetarget", "A2MExport", "A2MLive", "CKernels", "CFFTW", "CSoxr"],
            resources: [.copy("Fixtures")]
        ),
    ] + (mpi ? [
        // Open MPI for data-parallel training; only when installed (see openMPIInstalled above).
        .systemLibrary(name: "CMPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev"])]),
    ] : [])
)
