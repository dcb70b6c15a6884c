// swift-tools-version:6.1
// Micro-benchmarks of gongkai's hot paths, one layer at a time (ordo-one/benchmark):
//   cd bench/micro && swift package benchmark
// A separate package so that the main build and `swift test` do not build the benchmark harness.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory, and a clone may be called anything.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
let gongkai = root.lastPathComponent

let package = Package(
    name: "gongkai-micro",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: root.path),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GongkaiCore", package: gongkai),
                .product(name: "GongkaiDecode", package: gongkai),
                .product(name: "GongkaiCorpus", package: gongkai),
                .product(name: "GongkaiWire", package: gongkai),
                .product(name: "GongkaiStore", package: gongkai),
            ],
            path: "Benchmarks/HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
