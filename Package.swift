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
        .target(
            name: "Synthesis",
            dependencies: ["Sequencer", "CEbur128"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Speech",
            dependencies: ["Sequencer", "AudioFiles", "CFlite", "CEspeakNG", "CSherpaOnnx", "CSpeechRandom"],
            swiftSettings: swiftSettings
        ),
        // Reading audio files with libsndfile and resampling with libsoxr.
        .target(
            name: "AudioFiles",
            dependencies: ["CSndFile", "CSoxr"],
            swiftSettings: swiftSettings
        ),
        // A per-thread rand() for the speech engines, so that a prompt sounds the same every time.
        .target(name: "CSpeechRandom"),
        .target(
            name: "Playback",
            dependencies: ["Sequencer", "Synthesis", "CPortAudio", "CAudioQuiet"],
            swiftSettings: swiftSettings
        ),
        // ALSA's error handler is variadic, so silencing ALSA takes a few lines of C.
        .target(
            name: "CAudioQuiet",
            linkerSettings: [.linkedLibrary("asound")]
        ),
        .target(
            name: "Export",
            dependencies: ["Sequencer", "Synthesis", "CSndFile", "CExportSupport"],
            swiftSettings: swiftSettings
        ),
        // The few lines of C that Swift cannot express: the SF_CUES_VAR macro and an
        // async-signal-safe interrupt flag.
        .target(
            name: "CExportSupport",
            dependencies: ["CSndFile"]
        ),
        // Encodes prerendered samples with libsndfile and nothing else, as the benchmark's baseline.
        .executableTarget(
            name: "EncodeBench",
            dependencies: ["Export"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SootheCLI",
            dependencies: [
                "Sequencer",
                "Speech",
                "Synthesis",
                "Playback",
                "Export",
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
            name: "SpeechTests",
            dependencies: ["Speech", "Sequencer"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AudioFilesTests",
            dependencies: ["AudioFiles"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SynthesisTests",
            dependencies: ["Synthesis", "Sequencer"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PlaybackTests",
            dependencies: ["Playback", "Sequencer", "Synthesis", "Export", "SootheCLI", "SootheTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExportTests",
            dependencies: ["Export", "Sequencer", "Synthesis", "SootheCLI", "SootheTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SootheCLITests",
            dependencies: ["SootheCLI", "Sequencer", "Speech", "Synthesis", "AudioFiles", "SootheTestSupport"],
            swiftSettings: swiftSettings
        ),
        // Runs the built `soothe` for the tests that check a command end to end.
        .target(
            name: "SootheTestSupport",
            path: "Tests/SootheTestSupport",
            swiftSettings: swiftSettings
        ),
        // The C libraries, each wrapped by exactly one module.
        .systemLibrary(
            name: "CSndFile", pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"]), .brew(["libsndfile"])]),
        .systemLibrary(
            name: "CPortAudio", pkgConfig: "portaudio-2.0",
            providers: [.apt(["portaudio19-dev"]), .brew(["portaudio"])]),
        .systemLibrary(
            name: "CSoxr", pkgConfig: "soxr",
            providers: [.apt(["libsoxr-dev"]), .brew(["libsoxr"])]),
        .systemLibrary(
            name: "CEbur128", pkgConfig: "libebur128",
            providers: [.apt(["libebur128-dev"]), .brew(["libebur128"])]),
        .systemLibrary(
            name: "CEspeakNG", pkgConfig: "espeak-ng",
            providers: [.apt(["libespeak-ng-dev"]), .brew(["espeak-ng"])]),
        // sherpa-onnx's C API (Piper voices), installed by Scripts/setup with pip into
        // .python-packages/; only its header is used at build time, the library is opened at run time.
        .systemLibrary(name: "CSherpaOnnx"),
        // flite ships no pkg-config file; its module map names the libraries to link.
        .systemLibrary(
            name: "CFlite",
            providers: [.apt(["flite1-dev"]), .brew(["flite"])]),
    ],
    swiftLanguageModes: [.v6]
)
