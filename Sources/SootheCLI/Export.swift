import ArgumentParser
import Export
import Foundation
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

    @Option(help: ArgumentHelp("wav, flac, ogg, opus or mp3 (default: from the extension).", valueName: "format"))
    var format: String?

    @Option(name: .customLong("sample-rate"), help: ArgumentHelp("44100, 48000 or 96000 Hz.", valueName: "hertz"))
    var sampleRate: Int?

    @Option(name: .customLong("bit-depth"), help: ArgumentHelp("WAV and FLAC: 16, 24 or float.", valueName: "bits"))
    var bitDepth: String?

    @Option(help: ArgumentHelp("Ogg and Opus quality from 0 (smallest) to 10 (best).", valueName: "0-10"))
    var quality: Double?

    @Option(help: ArgumentHelp("MP3 constant bitrate in kbps (default 192).", valueName: "kbps"))
    var bitrate: Int?

    @Flag(help: "MP3: variable bitrate (LAME -V 2) instead of constant.")
    var vbr = false

    @Option(help: ArgumentHelp("The title tag (default: the routine's title).", valueName: "text"))
    var title: String?

    @Option(help: ArgumentHelp("The artist tag (default: Soothe).", valueName: "text"))
    var artist: String?

    @Flag(help: "Also write the steps as chapters: a .cue sheet for WAV and FLAC, WebVTT otherwise.")
    var chapters = false

    @Flag(help: "Replace an existing file.")
    var force = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if let sampleRate, !ExportOptions.sampleRates.contains(sampleRate) {
            let rates = ExportOptions.sampleRates.map(String.init)
            throw ValidationError(
                "unsupported sample rate \(sampleRate) Hz; the rates are "
                    + rates.dropLast().joined(separator: ", ") + " and " + rates.last!)
        }
        if let quality, !(0...10).contains(quality) {
            throw ValidationError("quality \(quality.formatted()) is out of range; give a number from 0 to 10")
        }
        if let bitrate, !MP3Bitrate.validKilobitsPerSecond.contains(bitrate) {
            throw ValidationError(
                "unsupported MP3 bitrate \(bitrate) kbps; the bitrates are "
                    + MP3Bitrate.validKilobitsPerSecond.map(String.init).joined(separator: ", "))
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
            routine: RoutineLibrary.load(session.routine), sampleRate: rate, speech: speech,
            settings: sound.renderSettings)
        let timeline = try builder.makeTimeline(session.customization)
        let destination = ExportDestination(
            argument: output ?? "\(timeline.routineName).\(format?.lowercased() ?? "wav")")
        let progressBar = ProgressBar(isEnabled: !quiet && isatty(STDERR_FILENO) == 1, sampleRate: rate)
        let summary: ExportSummary
        do {
            let options = try exportOptions(for: timeline, path: destination.displayName)
            var sidecar: SidecarFile?
            if chapters, case .file(let path) = destination {
                let chapterFile = timeline.chapterFile(for: options.format, audioPath: path)
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
        guard !quiet else { return }
        if destination == .standardOutput {
            // Standard output carries the audio.
            FileHandle.standardError.write(Data((Self.summaryLine(summary) + "\n").utf8))
        } else {
            print(Self.summaryLine(summary))
        }
    }

    private func exportOptions(for timeline: SessionTimeline, path: String) throws -> ExportOptions {
        let depth = try bitDepth.map { text throws(ExportError) in try BitDepth(parsing: text) }
        let fileFormat = try AudioFileFormat(formatName: format, path: path, bitDepth: depth)
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
            quality: quality.map { $0 / 10 },
            mp3Bitrate: vbr ? .defaultVariable : .constant(kilobitsPerSecond: bitrate ?? 192),
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
