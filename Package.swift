// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The agent's parts: every `Sources/Chopsticks/Agent/agent_NN_name.py`, in file-name order (the order is written
/// once, in the names).
let agentParts =
    ((try? FileManager.default.contentsOfDirectory(atPath: Context.packageDirectory + "/Sources/Chopsticks/Agent"))
    ?? []).filter { $0.hasPrefix("agent_") && $0.hasSuffix(".py") }.sorted()

let package = Package(
    name: "chop",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Chopsticks", targets: ["Chopsticks"]),
        .executable(name: "chop", targets: ["chop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // YAML inventories (Ansible, ClusterShell groups.d), parsed with line numbers for errors.
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        // `swift package generate-documentation` for the Chopsticks.docc catalog (CI fails on a broken link).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The library: wire protocol, embedded Python agent, tunnels, Group. No terminal code.
        .target(
            name: "Chopsticks",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "CLibCrypto",
            ],
            exclude: ["Agent/PROTOCOL.txt"],
            // The agent's parts, each a real .py file embedded in the code; AgentPartsPlugin lists them for
            // Bootstrap.agentSource in the same (file-name) order. A new part is a new file, named nowhere else.
            resources: agentParts.map { .embedInCode("Agent/\($0)") },
            plugins: ["AgentPartsPlugin"]
        ),
        // Writes AgentParts.swift (every agent part, in file-name order) before each build.
        .plugin(name: "AgentPartsPlugin", capability: .buildTool(), path: "Sources/AgentPartsPlugin"),
        // The system's libcrypto, for SHA-1 only: no BoringSSL to compile.
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libedit's native API, through non-variadic inline wrappers.
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // The REPL's logic: parsing, session state, rendering, completion. Testable without a terminal.
        .target(
            name: "ChopShell",
            dependencies: [
                "Chopsticks", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            plugins: ["CommandRegistryPlugin"]
        ),
        // Writes CommandList.swift (`CommandRegistry.commands`, from each command file's helpOrder) before each build.
        .plugin(name: "CommandRegistryPlugin", capability: .buildTool(), path: "Sources/CommandRegistryPlugin"),
        // Terminal glue: argument parsing, libedit, signals, batch mode.
        .target(
            name: "ChopCLI",
            dependencies: [
                "ChopShell", "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildInfoPlugin"]
        ),
        // Writes BuildInfo.swift (the commit chop is built from, for --version) before each build.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool(), path: "Sources/BuildInfoPlugin"),
        // The executable: one line that starts ChopCLI's command.
        .executableTarget(name: "chop", dependencies: ["ChopCLI"]),
        // Test fixtures: a loopback sshd fleet, process inspection.
        .target(name: "TestSupport", dependencies: ["Chopsticks"], path: "Tests/TestSupport"),
        .testTarget(
            name: "ChopsticksTests",
            dependencies: [
                "Chopsticks", "ChopShell", "TestSupport", .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ChopShellTests",
            dependencies: [
                "ChopShell", "ChopCLI", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["__Snapshots__", "__Corpus__"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
