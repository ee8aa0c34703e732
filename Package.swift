// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// The modules whose inner loops run per sample are optimised in debug builds too: the tests render
// whole sessions, and unoptimised DSP made the suite many times slower without testing anything
// more. Debug information and `@testable import` still work.
let sampleLoopSettings: [SwiftSetting] = swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

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
        // What `show` and `routines` print: the table, JSON, CUE, WebVTT and the SVG picture.
        .target(
            name: "Reports",
            dependencies: ["Sequencer"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Synthesis",
            dependencies: ["Sequencer"],
            swiftSettings: sampleLoopSettings
        ),
        .target(
            name: "Speech",
            dependencies: ["Sequencer", "AudioFiles", "CFlite", "CEspeakNG", "CSherpaOnnx", "CSpeechRandom"],
            swiftSettings: sampleLoopSettings
        ),
        // Reading and writing audio files with libsndfile, resampling with libsoxr, measuring loudness
        // with libebur128.
        .target(
            name: "AudioFiles",
            dependencies: ["Sequencer", "CSndFile", "CSndFileSupport", "CSoxr", "CEbur128"],
            swiftSettings: sampleLoopSettings
        ),
        // The few lines of C that Swift cannot express for libsndfile: the SF_CUES_VAR macro.
        .target(
            name: "CSndFileSupport",
            dependencies: ["CSndFile"]
        ),
        // A per-thread rand() for the speech engines, so that a prompt sounds the same every time.
        .target(name: "CSpeechRandom"),
        .target(
            name: "Playback",
            dependencies: ["Sequencer", "Synthesis", "Termination", "CPortAudio", "CAudioQuiet"],
            swiftSettings: sampleLoopSettings
        ),
        // ALSA's error handler is variadic, so silencing ALSA takes a few lines of C.
        .target(
            name: "CAudioQuiet",
            linkerSettings: [.linkedLibrary("asound")]
        ),
        .target(
            name: "Export",
            dependencies: ["Sequencer", "Synthesis", "AudioFiles", "Termination", "CExportSupport"],
            swiftSettings: sampleLoopSettings
        ),
        // How a process ends, in one place for play, export and every command: the signals that
        // end it, and a write to standard output that fails.
        .target(
            name: "Termination",
            swiftSettings: swiftSettings
        ),
        // sync_file_range, which Swift's Glibc module does not declare.
        .target(name: "CExportSupport"),
        // Encodes prerendered samples with libsndfile and nothing else, as the benchmark's baseline.
        .executableTarget(
            name: "EncodeBench",
            dependencies: ["Export", "AudioFiles"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SootheCLI",
            dependencies: [
                "Sequencer",
                "Reports",
                "Speech",
                "AudioFiles",
                "Synthesis",
                "Playback",
                "Export",
                "Termination",
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
            name: "ReportsTests",
            dependencies: ["Reports", "Sequencer"],
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
            // AudioFiles for its loudness meter: the mix's targets are measured with libebur128.
            dependencies: ["Synthesis", "Sequencer", "AudioFiles"],
            // Optimised like the renderer: its spectra, differences and levels loop over every
            // sample of whole sessions, and unoptimised they took four times as long as the renders.
            swiftSettings: sampleLoopSettings
        ),
        .testTarget(
            name: "PlaybackTests",
            dependencies: ["Playback", "Sequencer", "Synthesis"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExportTests",
            // AudioFiles to read each written file back.
            dependencies: ["Export", "AudioFiles", "Sequencer", "Synthesis", "SootheTestSupport"],
            // Optimised: it compares whole exports with their renders sample by sample.
            swiftSettings: sampleLoopSettings
        ),
        // The tests that run the built `soothe`, or wire several modules together as a command does.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "SootheCLI", "Sequencer", "Speech", "Synthesis", "AudioFiles", "Playback", "Export",
                "SootheTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
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
