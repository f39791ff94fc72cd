// swift-tools-version:6.0
import PackageDescription

// desync: a batch pipeline that pairs client telemetry with the authoritative
// server's state and measures how far they drift apart.
//
// Only the toolchain and Debian's C libraries are used; SwiftPM cannot fetch
// outside packages on the machines this is built on.

let package = Package(
    name: "desync",
    products: [
        .executable(name: "desync", targets: ["desync"]),
        .library(name: "Desync", targets: ["Desync"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CCrypto", path: "Sources/CCrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CGRPC", path: "Sources/CGRPC",
            providers: [.apt(["libgrpc-dev"])]),
        .target(
            name: "Desync",
            dependencies: ["CSQLite", "CLibPQ", "CCrypto"]),
        .target(
            name: "SparkConnect",
            dependencies: ["CGRPC"]),
        .target(
            name: "DesyncCLI",
            dependencies: ["Desync", "SparkConnect"]),
        .executableTarget(
            name: "desync",
            dependencies: ["DesyncCLI"]),
        .target(
            name: "DesyncTestSupport",
            dependencies: ["Desync", "DesyncCLI"],
            path: "Tests/DesyncTestSupport"),
        .testTarget(
            name: "DesyncTests",
            dependencies: ["Desync", "DesyncCLI", "DesyncTestSupport"]),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Desync", "DesyncCLI", "DesyncTestSupport"]),
        .testTarget(
            name: "SparkConnectTests",
            dependencies: ["SparkConnect", "Desync", "DesyncCLI", "DesyncTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
