public import ArgumentParser
import AudioFiles
public import Export
import Foundation
import Reports
import Sequencer
import Synthesis
import Termination

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Render a session to an audio file: WAV, FLAC, Ogg Vorbis, Opus or MP3.",
        discussion: """
            The format comes from the output's extension (.wav, .flac, .ogg, .opus, .mp3) or --format. \
            An existing file is kept unless --force is given; the file appears only when complete.
            """)

    @OptionGroup var session: SessionOptions

    @OptionGroup var speech: SpeechOptions

    @OptionGroup var sound: SoundOptions

    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp(
            "The audio file to write (default: the routine's name, .wav); - streams to standard output.",
            valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The file format (default: from the extension).", valueName: "format"))
    var format: AudioContainer?

    @Option(
        name: .customLong("sample-rate"),
        // Numbers are taken whatever they look like, so that a negative one is refused by value.
        parsing: .unconditional,
        help: ArgumentHelp(
            "The sample rate, one of \(ExportOptions.sampleRates.map(String.init).joinedAsList()) Hz.",
            valueName: "hertz"),
        transform: { try ExportCommand.parseNumber($0, as: Int.self) })
    var sampleRate: Int?

    @Option(name: .customLong("bit-depth"), help: ArgumentHelp("WAV and FLAC sample format.", valueName: "bits"))
    var bitDepth: BitDepth?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Ogg and Opus quality from \(ExportCommand.qualityRange.lowerBound.formatted()) (smallest) to "
                + "\(ExportCommand.qualityRange.upperBound.formatted()) (best).",
            valueName: "\(ExportCommand.qualityRange.lowerBound.formatted())-"
                + "\(ExportCommand.qualityRange.upperBound.formatted())"),
        transform: { try ExportCommand.parseNumber($0, as: Double.self) })
    var quality: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "MP3 constant bitrate in kbps: \(MP3Bitrate.validKilobitsPerSecond.map(String.init).joinedAsList()) "
                + "(default \(MP3Bitrate.defaultKilobitsPerSecond)).",
            valueName: "kbps"),
        transform: { try ExportCommand.parseNumber($0, as: Int.self) })
    var bitrate: Int?

    @Flag(help: "MP3: variable bitrate (LAME -V 2) instead of constant.")
    var vbr = false

    // Tags are taken whatever they look like, so that a title may start with a dash.
    @Option(
        parsing: .unconditional, help: ArgumentHelp("The title tag (default: the routine's title).", valueName: "text"))
    var title: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The artist tag (default: Soothe).", valueName: "text"))
    var artist: String?

    @Flag(help: "Also write the steps as chapters: a .cue sheet for WAV and FLAC, WebVTT otherwise.")
    var chapters = false

    @Flag(help: "Replace an existing file.")
    var force = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    /// `--quality` counts in tenths of the encoder's quality, so that it reads as whole numbers.
    static let qualityScale = 10.0
    static let qualityRange: ClosedRange<Double> = {
        let encoderRange = ExportOptions.qualityRange
        return (encoderRange.lowerBound * qualityScale)...(encoderRange.upperBound * qualityScale)
    }()

    /// A number option's value, or a message that says the text is not a number.
    static func parseNumber<Number: LosslessStringConvertible>(_ text: String, as _: Number.Type)
        throws -> Number
    {
        guard let number = Number(text.trimmingWhitespace()) else {
            throw ValidationError("'\(text)' is not a number")
        }
        return number
    }

    func validate() throws {
        if let sampleRate, !ExportOptions.sampleRates.contains(sampleRate) {
            throw ValidationError(ExportOptions.unsupportedSampleRateMessage(sampleRate))
        }
        if let quality, !quality.isFinite || !Self.qualityRange.contains(quality) {
            throw ValidationError(
                "quality \(quality.formatted()) is out of range; give a number from "
                    + "\(Self.qualityRange.lowerBound.formatted()) to \(Self.qualityRange.upperBound.formatted())")
        }
        if let bitrate {
            do {
                try MP3Bitrate.constant(kilobitsPerSecond: bitrate).validate()
            } catch {
                throw ValidationError(error.message)
            }
        }
        if vbr && bitrate != nil {
            throw ValidationError("--bitrate sets a constant bitrate; drop it or drop --vbr")
        }
        if output == "-" {
            guard format != nil else {
                throw ValidationError(
                    "-o - streams to standard output; name the format with --format (flac, ogg, opus or mp3)")
            }
            if chapters {
                throw ValidationError("--chapters writes a file beside the audio file; with -o - there is none")
            }
        }
    }

    func run() throws {
        let rate = sampleRate ?? sound.loudness.preferredSampleRate ?? SessionOptions.defaultSampleRate
        let builder = try SessionBuilder(
            routine: sound.applyingBackground(to: RoutineLibrary.load(session.routine)), sampleRate: rate,
            speech: speech,
            settings: sound.renderSettings)
        let timeline = try builder.makeTimeline(session.customization)
        // The routine's name is kebab-case, so the default file lands in the current folder.
        let destination = ExportDestination(
            argument: output ?? "\(timeline.routineName).\((format ?? .wav).fileExtension)")
        let progressBar = ProgressBar(isEnabled: !quiet && isatty(STDERR_FILENO) == 1, sampleRate: rate)
        let summary: ExportSummary
        do {
            let options = try exportOptions(for: timeline, path: destination.displayName)
            var sidecar: SidecarFile?
            if chapters, case .file(let path) = destination {
                let chapterFile = timeline.chapterFile(
                    audioPath: path, asCueSheet: options.format.container.takesCueSheet)
                sidecar = SidecarFile(path: chapterFile.path, text: chapterFile.text)
            }
            // The options and targets are checked before the prompts are spoken and the sound is
            // prepared.
            try AudioExporter.checkTargets(destination, sidecar: sidecar, options: options)
            let source = try builder.makeRenderer(for: timeline)
            summary = try AudioExporter.export(
                source: source, to: destination, sidecar: sidecar, options: options, progress: progressBar.update)
            progressBar.finish()
        } catch let error as ExportError {
            progressBar.finish()
            FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
            throw ExitCode(Self.exitStatus(for: error.kind))
        }
        if let problem = builder.backgroundProblem {
            FileHandle.standardError.write(Data("Warning: \(problem)\n".utf8))
        }
        guard !quiet else { return }
        if destination == .standardOutput {
            // Standard output carries the audio.
            FileHandle.standardError.write(Data((Self.summaryLine(summary) + "\n").utf8))
        } else {
            StandardOutput.print(Self.summaryLine(summary))
        }
    }

    private func exportOptions(for timeline: SessionTimeline, path: String) throws -> ExportOptions {
        let fileFormat = try AudioFileFormat(formatName: format?.rawValue, path: path, bitDepth: bitDepth)
        if bitrate != nil || vbr, fileFormat != .mp3 {
            throw ValidationError("--bitrate and --vbr apply to mp3 only, not \(fileFormat.container.rawValue)")
        }
        if quality != nil, fileFormat != .oggVorbis, fileFormat != .opus {
            throw ValidationError("--quality applies to ogg and opus only, not \(fileFormat.container.rawValue)")
        }
        var tags = timeline.exportTags(software: "Soothe \(Soothe.configuration.version)", date: Self.today())
        if let title { tags.title = title }
        if let artist { tags.artist = artist }
        return ExportOptions(
            format: fileFormat, overwrites: force, tags: tags, markers: timeline.stepMarkers,
            quality: quality.map { $0 / Self.qualityScale },
            mp3Bitrate: vbr ? .defaultVariable : bitrate.map { .constant(kilobitsPerSecond: $0) } ?? .default,
            ditherSeed: sound.seed, measuresLoudness: !quiet)
    }

    /// sysexits: 64 a bad option value (also when the library finds it), 73 cannot create the
    /// output, 74 an I/O error such as a full disk or a closed pipe, 130 interrupted.
    static func exitStatus(for kind: ExportError.Kind) -> Int32 {
        switch kind {
        case .interrupted: TerminationSignals.exitStatus
        case .diskFull, .fileSizeLimit, .io: 74
        case .cannotCreate, .targetExists: 73
        case .invalidOption: 64
        case .encoding: 70
        }
    }

    static func summaryLine(_ summary: ExportSummary) -> String {
        let depth = summary.format.bitDepth.map { $0 == .float ? " float" : " \($0.rawValue)-bit" } ?? ""
        let channels = summary.channelCount == 2 ? "stereo" : "mono"
        let length = SessionDuration(seconds: summary.durationSeconds).description
        let megabytes = Double(summary.fileSizeBytes) / 1_000_000
        let container = summary.isRF64 ? "RF64 WAV" : summary.format.container.rawValue.uppercased()
        let name = summary.path == "-" ? "standard output" : summary.path
        return "Wrote \(name): \(container)\(depth), "
            + "\(summary.sampleRate) Hz \(channels), \(length), \(String(format: "%.1f", megabytes)) MB"
            + (summary.integratedLoudnessLUFS.map { String(format: ", %.1f LUFS", $0) } ?? "")
            + (summary.samplePeakDecibels.map { String(format: ", peak %.1f dBFS", $0) } ?? "")
    }

    /// Today as `YYYY-MM-DD`, or the day of `SOURCE_DATE_EPOCH` when set, for reproducible files.
    static func today() -> String {
        let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(TimeInterval.init)
        let date = epoch.map { Date(timeIntervalSince1970: $0) } ?? Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = epoch == nil ? .current : TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}

// Public conformances of the library's enums, so that help lists their values.
extension AudioContainer: ExpressibleByArgument {}

extension BitDepth: ExpressibleByArgument {
    /// `16`, `24` or `float`, and the other spellings `BitDepth(parsing:)` knows.
    public init?(argument: String) {
        guard let depth = try? BitDepth(parsing: argument) else { return nil }
        self = depth
    }
}

/// A one-line bar on stderr, redrawn when the shown percentage changes.
final class ProgressBar {
    private let isEnabled: Bool
    private let sampleRate: Int
    private var lastPercent = -1
    private var isShown = false

    init(isEnabled: Bool, sampleRate: Int) {
        self.isEnabled = isEnabled
        self.sampleRate = sampleRate
    }

    func update(framesWritten: Int64, totalFrames: Int64) {
        guard isEnabled else { return }
        let percent = Int(framesWritten * 100 / max(totalFrames, 1))
        guard percent != lastPercent else { return }
        lastPercent = percent
        let width = 30
        let filled = percent * width / 100
        let done = SessionDuration(seconds: Double(framesWritten) / Double(sampleRate))
        let total = SessionDuration(seconds: Double(totalFrames) / Double(sampleRate))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(percent)%  \(done) / \(total)".utf8))
        isShown = true
    }

    func finish() {
        guard isShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        isShown = false
    }
}
