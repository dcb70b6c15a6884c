// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "gongkai",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gongkai", targets: ["gongkai"]),
        .library(name: "GongkaiCore", targets: ["GongkaiCore"]),
        .library(name: "GongkaiDecode", targets: ["GongkaiDecode"]),
        .library(name: "GongkaiCorpus", targets: ["GongkaiCorpus"]),
        .library(name: "GongkaiWire", targets: ["GongkaiWire"]),
        .library(name: "GongkaiStore", targets: ["GongkaiStore"]),
        .library(name: "GongkaiPostgres", targets: ["GongkaiPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // MARK: Domain (pure, no I/O)

        /** Report model, byte-level text scanning, table recognition, validation rules, JSON output. */
        .target(name: "GongkaiCore", swiftSettings: swiftSettings),

        // MARK: Documents

        /** Bytes → normalised UTF-8: encoding detection (BOM, UTF-16, GB18030), content sniffing, size limits. */
        .target(
            name: "GongkaiDecode",
            dependencies: [
                "GongkaiCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),

        /** Deterministic synthetic corpus of reports with a manifest of true values and injected errors. */
        .target(name: "GongkaiCorpus", dependencies: ["GongkaiCore", "GongkaiDecode"], swiftSettings: swiftSettings),

        // MARK: Messaging

        /** libzmq as a system library (Debian libzmq3-dev). */
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),

        /** Thin owner of every libzmq handle: context, sockets, messages, poll, typed errors. */
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], swiftSettings: swiftSettings),

        /** The versioned wire protocol: messages, codec, size checks. Knows nothing about sockets. */
        .target(name: "GongkaiWire", dependencies: ["GongkaiCore"], swiftSettings: swiftSettings),

        // MARK: Storage

        /** The summary store: SQLite through GRDB, migrations, idempotent batched commits, summaries. */
        .target(
            name: "GongkaiStore",
            dependencies: [
                "GongkaiCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),

        /** The same store on PostgreSQL (postgres-nio), and the factory that picks a backend from `--store`. */
        .target(
            name: "GongkaiPostgres",
            dependencies: [
                "GongkaiCore", "GongkaiStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Cluster

        /** Coordinator, workers, collector and submit client over ZeroMQ. */
        .target(
            name: "GongkaiCluster",
            dependencies: [
                "GongkaiCore", "GongkaiDecode", "GongkaiWire", "GongkaiStore", "GongkaiPostgres", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executable

        /** The `gongkai` command: parse, validate, corpus, serve, submit, status, results, summary. */
        .executableTarget(
            name: "gongkai",
            dependencies: [
                "GongkaiCore", "GongkaiDecode", "GongkaiCorpus", "GongkaiCluster", "GongkaiStore", "GongkaiPostgres",
                "GongkaiWire", "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests

        .testTarget(
            name: "GongkaiCoreTests",
            dependencies: ["GongkaiCore", "GongkaiDecode", "GongkaiCorpus"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GongkaiDecodeTests",
            dependencies: ["GongkaiDecode", "GongkaiCore", "GongkaiCorpus"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], swiftSettings: swiftSettings),
        .testTarget(name: "GongkaiWireTests", dependencies: ["GongkaiWire"], swiftSettings: swiftSettings),
        .testTarget(
            name: "GongkaiStoreTests", dependencies: ["GongkaiStore", "GongkaiPostgres", "GongkaiCore"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GongkaiIntegrationTests",
            dependencies: ["gongkai", "GongkaiCore", "GongkaiCorpus", "GongkaiStore", "GongkaiPostgres", "GongkaiDecode", "GongkaiWire", "ZeroMQ"],
            swiftSettings: swiftSettings
        ),
    ]
)
