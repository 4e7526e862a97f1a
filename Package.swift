// swift-tools-version:6.0
import PackageDescription

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
        .target(
            name: "A2MKit",
            dependencies: ["CSndFile", "CFFTW", "COpenBLAS", "CSoxr", "CPNG", "CKernels"]
        ),
        .executableTarget(
            name: "a2m",
            dependencies: ["A2MKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "A2MKitTests",
            dependencies: ["A2MKit"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
