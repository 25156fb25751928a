// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Emoscope",
    products: [
        .library(name: "EmoscopeTraining", targets: ["EmoscopeTraining"]),
        .executable(name: "emoscope", targets: ["emoscope"]),
        .executable(name: "emoscope-train", targets: ["emoscope-train"]),
        .library(name: "EmoscopeCore", targets: ["EmoscopeCore"]),
        .library(name: "EmoscopeAudio", targets: ["EmoscopeAudio"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System-library shims. ncurses has no pkgConfig on purpose (see PLATFORM-NOTES).
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .systemLibrary(name: "CALSA", path: "Sources/CALSA", pkgConfig: "alsa"),
        .systemLibrary(name: "CSndFile", path: "Sources/CSndFile", pkgConfig: "sndfile"),
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW", pkgConfig: "fftw3f"),
        .systemLibrary(name: "CSoxr", path: "Sources/CSoxr", pkgConfig: "soxr"),
        // BLAS is loaded at run time (dlopen) after the kernel is chosen; see BLAS.swift.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        // glibc's mallopt, for the trainer's allocation pattern.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),

        .target(name: "EmoscopeCore", dependencies: ["CFFTW", "CBLAS"]),
        .target(name: "EmoscopeAudio", dependencies: ["EmoscopeCore", "CSndFile", "CSoxr", "CALSA"]),
        .target(name: "EmoscopeTUI", dependencies: ["EmoscopeCore", "EmoscopeAudio", "EmoscopeTraining", "CNcursesw"]),
        .executableTarget(
            name: "emoscope",
            dependencies: [
                "EmoscopeCore", "EmoscopeAudio", "EmoscopeTraining", "EmoscopeTUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "EmoscopeTraining", dependencies: ["EmoscopeCore", "EmoscopeAudio", "CMalloc"]),
        .executableTarget(
            name: "emoscope-train",
            dependencies: [
                "EmoscopeCore", "EmoscopeAudio", "EmoscopeTraining",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "emoscope-bench",
            dependencies: ["EmoscopeCore", "EmoscopeAudio", "EmoscopeTraining", "EmoscopeTUI"],
            path: "Benchmarks/emoscope-bench"),

        .target(name: "EmoscopeTestSupport", dependencies: ["EmoscopeCore"], path: "Tests/Support"),
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        .testTarget(
            name: "EmoscopeCoreTests", dependencies: ["EmoscopeCore", "EmoscopeTestSupport", "CAllocationCounter"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "EmoscopeTrainingTests", dependencies: ["EmoscopeTraining", "EmoscopeTestSupport"]),
        .testTarget(name: "EmoscopeTUITests", dependencies: ["EmoscopeTUI", "EmoscopeTestSupport"]),
        .testTarget(name: "EmoscopeAudioTests", dependencies: ["EmoscopeAudio", "EmoscopeTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["emoscope", "emoscope-train", "EmoscopeAudio", "EmoscopeTestSupport"]),
    ]
)
