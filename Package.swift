// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Soothe",
    products: [
        .executable(name: "soothe", targets: ["SootheCLI"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", "1.8.0"..<"1.9.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .target(
            name: "Sequencer",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "EmbedRoutines")]
        ),
        .executableTarget(
            name: "SootheCLI",
            dependencies: [
                "Sequencer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Turns the routine files under Audio/routines into Swift string literals, so that the
        // built-in routines live inside the binary and a copied `soothe` still has them.
        .executableTarget(
            name: "EmbedRoutinesTool",
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "EmbedRoutines",
            capability: .buildTool(),
            dependencies: ["EmbedRoutinesTool"]
        ),
        .testTarget(
            name: "SequencerTests",
            dependencies: ["Sequencer"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SootheCLITests",
            dependencies: ["SootheCLI"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
