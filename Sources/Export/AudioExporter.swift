import AudioFiles
import Dispatch
import Glibc
import Synchronization
public import Synthesis
import Termination

/// What an export wrote.
public struct ExportSummary: Equatable, Sendable {
    public var path: String
    public var format: AudioFileFormat
    public var sampleRate: Int
    public var channelCount: Int
    public var frameCount: Int64
    public var fileSizeBytes: Int64
    /// Whether a WAV export was too large for RIFF and was written as RF64.
    public var isRF64: Bool
    /// The integrated loudness of what was written, before format encoding, in LUFS; `nil`
    /// when the options asked for no measurement.
    public var integratedLoudnessLUFS: Double?
    /// The sample peak of what was written, before format encoding, in dBFS. (The renderer's
    /// limiter holds the true peak under its ceiling; measuring it here would cost more than
    /// the whole export.) `nil` when the options asked for no measurement.
    public var samplePeakDecibels: Double?

    public var durationSeconds: Double { Double(frameCount) / Double(sampleRate) }
}

/// Where an export goes: a file, or standard output (`-o -`).
public enum ExportDestination: Equatable, Sendable {
    case file(String)
    case standardOutput

    /// The destination an `-o` argument names: `-` is standard output, never a file named `-`.
    public init(argument: String) {
        self = argument == "-" ? .standardOutput : .file(argument)
    }

    /// The path, or `standard output`, for messages.
    public var displayName: String {
        switch self {
        case .file(let path): path
        case .standardOutput: "standard output"
        }
    }
}

/// A small text file written beside the audio, such as a chapter sheet. It follows the audio's
/// rules and is checked before any audio is written.
public struct SidecarFile: Equatable, Sendable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// Streams a source into an audio file: fixed blocks, so memory does not grow with session
/// length; rendering on a second thread while this one encodes; and a safe write that leaves
/// either the complete new file or nothing (and an existing target untouched).
public enum AudioExporter {
    /// Renders `source` from its current position to its end into `path`.
    public static func export(
        source: any AudioFrameSource, to path: String, options: ExportOptions,
        progress: ((_ framesWritten: Int64, _ totalFrames: Int64) -> Void)? = nil
    ) throws(ExportError) -> ExportSummary {
        try export(source: source, to: .file(path), options: options, progress: progress)
    }

    /// Renders `source` from its current position to its end into `destination`, and writes
    /// `sidecar` beside a file.
    ///
    /// Every target is checked before anything is written: only a missing file, or a regular file
    /// with `options.overwrites`, is ever replaced. Termination signals (`TerminationSignals`) are
    /// watched for the duration: the temporary files are removed and the error's kind is
    /// `.interrupted`. Standard output takes the formats that need no header rewritten after the
    /// audio (FLAC, Ogg Vorbis, Opus, MP3), and never a terminal. `progress` is called on the
    /// calling thread with the frames written so far and the total, at most about a thousand times.
    public static func export(
        source: any AudioFrameSource, to destination: ExportDestination, sidecar: SidecarFile? = nil,
        options: ExportOptions, progress: ((_ framesWritten: Int64, _ totalFrames: Int64) -> Void)? = nil
    ) throws(ExportError) -> ExportSummary {
        let watch = TerminationSignals.watch()
        // Open until every file is in place or removed, not only until its last use.
        defer { withExtendedLifetime(watch) {} }
        let totalFrames = source.totalFrames - source.position
        try options.validate(sampleRate: source.sampleRate, channelCount: source.channelCount, totalFrames: totalFrames)
        try validateMarkers(options, totalFrames: source.totalFrames)

        try checkTargets(destination, sidecar: sidecar, options: options)
        switch destination {
        case .standardOutput:
            var writer = try SoundFileWriter(
                fileDescriptor: STDOUT_FILENO, displayPath: destination.displayName, sampleRate: source.sampleRate,
                channelCount: source.channelCount, options: options, expectedFrameCount: totalFrames, streams: true)
            let meter = try pumpAll(source: source, writer: &writer, options: options, totalFrames, progress)
            let frameCount = writer.framesWritten
            let size = writer.bytesWritten
            try writer.close()
            try checkInterrupt(destination.displayName)
            return ExportSummary(
                path: "-", format: options.format, sampleRate: source.sampleRate, channelCount: source.channelCount,
                frameCount: frameCount, fileSizeBytes: size, isRF64: false,
                integratedLoudnessLUFS: meter?.integratedLoudnessLUFS, samplePeakDecibels: meter?.samplePeakDecibels)
        case .file(let path):
            let target = try OutputTarget(path: path, overwrites: options.overwrites)
            let sidecarTarget = try sidecar.map { sidecar throws(ExportError) in
                try OutputTarget(path: sidecar.path, overwrites: options.overwrites)
            }
            let output = try TemporaryOutputFile(for: target)
            var writer = try SoundFileWriter(
                fileDescriptor: output.fileDescriptor, displayPath: path, sampleRate: source.sampleRate,
                channelCount: source.channelCount, options: options, expectedFrameCount: totalFrames)
            let meter = try pumpAll(source: source, writer: &writer, options: options, totalFrames, progress)
            let frameCount = writer.framesWritten
            let isRF64 = writer.isRF64
            try writer.close()
            try checkInterrupt(path)
            var sidecarOutput: TemporaryOutputFile?
            if let sidecarTarget, let sidecar {
                let file = try TemporaryOutputFile(for: sidecarTarget)
                try file.write(Array(sidecar.text.utf8))
                sidecarOutput = consume file
            }
            try checkInterrupt(path)
            try output.commit()
            switch consume sidecarOutput {
            case .some(let file):
                do {
                    try file.commit()
                } catch {
                    throw ExportError(error.kind, "the audio is written, but not the chapters: \(error.message)")
                }
            case .none:
                break
            }
            let size = system_stat(path).map { Int64($0.st_size) } ?? 0
            return ExportSummary(
                path: path, format: options.format, sampleRate: source.sampleRate, channelCount: source.channelCount,
                frameCount: frameCount, fileSizeBytes: size, isRF64: isRF64,
                integratedLoudnessLUFS: meter?.integratedLoudnessLUFS, samplePeakDecibels: meter?.samplePeakDecibels)
        }
    }

    /// Checks where an export would go, before anything is rendered or written: the audio file
    /// and the sidecar (each missing, or a regular file that `options.overwrites` lets be
    /// replaced, in an existing directory), or standard output (a format that can stream, and not
    /// a terminal). `export` checks again; calling this first saves preparing a session for
    /// nothing.
    public static func checkTargets(
        _ destination: ExportDestination, sidecar: SidecarFile?, options: ExportOptions
    ) throws(ExportError) {
        switch destination {
        case .standardOutput:
            if sidecar != nil {
                throw ExportError(
                    .invalidOption, "a chapter file is written beside the audio file; with -o - there is none")
            }
            try checkStandardOutput(format: options.format)
        case .file(let path):
            _ = try OutputTarget(path: path, overwrites: options.overwrites)
            if let sidecar {
                guard sidecar.path != path else {
                    throw ExportError(.invalidOption, "the chapter file would replace the audio file '\(path)'")
                }
                _ = try OutputTarget(path: sidecar.path, overwrites: options.overwrites)
            }
        }
    }

    /// Whether `format` can go to standard output: libsndfile rewrites a WAV header after the
    /// audio, which a pipe cannot take back.
    public static func canStream(_ format: AudioFileFormat) -> Bool {
        format.container != .wav
    }

    private static func checkStandardOutput(format: AudioFileFormat) throws(ExportError) {
        guard canStream(format) else {
            throw ExportError(
                .invalidOption,
                "\(format.container.rawValue) cannot be streamed to standard output (its header is written after "
                    + "the audio); use flac, ogg, opus or mp3 with -o -, or give a file name")
        }
        guard system_fstat(STDOUT_FILENO) != nil else {
            throw ExportError(.cannotCreate, "cannot write to standard output: it is closed")
        }
        guard !system_isatty(STDOUT_FILENO) else {
            throw ExportError(
                .cannotCreate,
                "standard output is a terminal; send the audio to a file or a program, such as "
                    + "-o - > session.\(format.container.fileExtension)")
        }
    }

    /// Renders everything into `writer`, measuring it when the options ask.
    private static func pumpAll(
        source: any AudioFrameSource, writer: inout SoundFileWriter, options: ExportOptions, _ totalFrames: Int64,
        _ progress: ((Int64, Int64) -> Void)?
    ) throws(ExportError) -> LoudnessMeter? {
        let reporter = ProgressReporter(totalFrames: totalFrames, callback: progress)
        // Measured on the writing thread, which has time to spare while the other renders.
        var meter: LoudnessMeter?
        if options.measuresLoudness {
            do {
                meter = try LoudnessMeter(
                    channelCount: source.channelCount, sampleRate: source.sampleRate, measuresTruePeak: false,
                    measuresLoudnessRange: false)
            } catch {
                throw ExportError(.invalidOption, "\(error)")
            }
        }
        if options.rendersConcurrently {
            try pumpConcurrently(
                source: source, writer: &writer, meter: meter, blockFrameCount: options.blockFrameCount, reporter)
        } else {
            try pump(source: source, writer: &writer, meter: meter, blockFrameCount: options.blockFrameCount, reporter)
        }
        // A part made ahead that failed rendered silent: such a file is not the session.
        if let failure = source.preparationFailure { throw ExportError(.io, failure) }
        return meter
    }

    private static func validateMarkers(_ options: ExportOptions, totalFrames: Int64) throws(ExportError) {
        for marker in options.markers where marker.startFrame < 0 || marker.startFrame > totalFrames {
            throw ExportError(
                .invalidOption, "the marker '\(marker.label)' at frame \(marker.startFrame) lies outside the session")
        }
    }

    /// Throws `.interrupted` when a termination signal arrived while the export watched.
    private static func checkInterrupt(_ path: String) throws(ExportError) {
        let signal = TerminationSignals.receivedSignal
        guard signal == 0 else {
            let what = signal == SIGINT ? "interrupted" : "stopped by \(TerminationSignals.name(of: signal))"
            throw ExportError(.interrupted, "export \(what); '\(path)' was not written")
        }
    }

    /// Renders and writes on this thread, block by block.
    private static func pump(
        source: any AudioFrameSource, writer: inout SoundFileWriter, meter: LoudnessMeter?, blockFrameCount: Int,
        _ reporter: ProgressReporter
    ) throws(ExportError) {
        var samples = [Float](repeating: 0, count: blockFrameCount * source.channelCount)
        try samples.withUnsafeMutableBufferPointer { samples throws(ExportError) in
            let block = samples.baseAddress!
            while true {
                try checkInterrupt(writer.displayPath)
                guard waitForPreparation(of: source, frameCount: blockFrameCount) else { continue }
                let frames = source.render(into: block, frameCount: blockFrameCount)
                guard frames > 0 else { break }
                try writer.write(block, frameCount: frames)
                meter?.add(block, frameCount: frames)
                reporter.report(writer.framesWritten)
            }
        }
    }

    /// Waits while the source still prepares what the next block needs (a prompt being levelled on
    /// another thread, the user's own sound read ahead), so the file gets exactly the samples of a
    /// session prepared beforehand. Never in render. Returns `false`, without waiting further, once
    /// `stops` says the export is over (a termination signal, a failed write): the block would be
    /// thrown away, and a prompt that is slow to come must not hold up an interrupted export.
    static func waitForPreparation(
        of source: any AudioFrameSource, frameCount: Int, stops: () -> Bool = { TerminationSignals.receivedSignal != 0 }
    ) -> Bool {
        while !source.isPrepared(forNext: frameCount) {
            if stops() { return false }
            usleep(preparationPollMicroseconds)
        }
        source.waitUntilReady(toRender: frameCount, timeoutSeconds: .infinity)
        return !stops()
    }

    /// How often a render waiting for preparation looks again.
    static let preparationPollMicroseconds: UInt32 = 200

    /// The blocks rendered ahead of the encoder. Rendering is far faster than any encoder, so the
    /// ring is full whenever the render thread gets a core; it drains only while that thread
    /// waits: for a prompt still being levelled, or for a core on a busy machine. Four blocks of
    /// the default size (1 MB of stereo) keep FLAC, the fastest encoder, busy through about 8 ms of
    /// such waiting. Sixteen cut the encoder's waits in a spoken FLAC export from about 60 ms to
    /// 20 ms, but their 3 MB more would take a warm spoken export past its 40 MB peak.
    static let ringSlotCount = 4

    /// Renders on a second thread into a small ring of preallocated blocks while this thread
    /// encodes the filled ones. Nothing is allocated per block.
    private static func pumpConcurrently(
        source: any AudioFrameSource, writer: inout SoundFileWriter, meter: LoudnessMeter?, blockFrameCount: Int,
        _ reporter: ProgressReporter
    ) throws(ExportError) {
        let ring = BlockRing(slotCount: ringSlotCount, samplesPerSlot: blockFrameCount * source.channelCount)
        let renderer = RenderThread(source: source, ring: ring, blockFrameCount: blockFrameCount)
        DispatchQueue.global(qos: .userInitiated).async { renderer.run() }

        var failure: ExportError?
        var slot = 0
        while true {
            ring.filled.wait()
            let frames = ring.frameCount(ofSlot: slot)
            if frames <= 0 { break }
            if failure == nil {
                do throws(ExportError) {
                    try checkInterrupt(writer.displayPath)
                    try ring.withSlot(slot) { samples throws(ExportError) in
                        try writer.write(samples, frameCount: frames)
                        meter?.add(samples, frameCount: frames)
                    }
                    reporter.report(writer.framesWritten)
                } catch {
                    // Keep draining until the render thread sees the flag and ends the stream,
                    // so that it never waits for a slot that will not come back.
                    failure = error
                    ring.isCancelled.store(true, ordering: .relaxed)
                }
            }
            ring.free.signal()
            slot = (slot + 1) % ring.slotCount
        }
        ring.finished.wait()
        if let failure { throw failure }
    }
}

/// Preallocated blocks passed between the render thread and the writing thread. The semaphores
/// order every access: a slot is written only between `free.wait()` and `filled.signal()` by the
/// renderer, and read only between `filled.wait()` and `free.signal()` by the writer.
private final class BlockRing: @unchecked Sendable {
    let slotCount: Int
    let samplesPerSlot: Int
    /// Every slot's samples, one slot after another.
    private let samples: ManagedBuffer<Void, Float>
    /// Frames in each slot; 0 marks the end of the stream.
    private let frameCounts: ManagedBuffer<Void, Int>
    // libdispatch refuses to dispose of a semaphore whose value is below its initial value, so
    // both start at zero and `init` releases the free slots.
    let free = DispatchSemaphore(value: 0)
    let filled = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    let isCancelled = Atomic<Bool>(false)

    init(slotCount: Int, samplesPerSlot: Int) {
        self.slotCount = slotCount
        self.samplesPerSlot = samplesPerSlot
        samples = .create(minimumCapacity: slotCount * samplesPerSlot) { _ in }
        samples.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: slotCount * samplesPerSlot) }
        frameCounts = .create(minimumCapacity: slotCount) { _ in }
        frameCounts.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: slotCount) }
        for _ in 0..<slotCount { free.signal() }
    }

    /// Calls `body` with the samples of slot `index`.
    func withSlot<Result, Failure: Error>(
        _ index: Int, _ body: (UnsafeMutablePointer<Float>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try samples.withUnsafeMutablePointerToElements { (samples) throws(Failure) -> Result in
            try body(samples + index * samplesPerSlot)
        }
    }

    func frameCount(ofSlot index: Int) -> Int {
        frameCounts.withUnsafeMutablePointerToElements { $0[index] }
    }

    func setFrameCount(_ frameCount: Int, ofSlot index: Int) {
        frameCounts.withUnsafeMutablePointerToElements { $0[index] = frameCount }
    }
}

/// The render side of the ring. The source is touched only by this thread while the export runs.
private final class RenderThread: @unchecked Sendable {
    private let source: any AudioFrameSource
    private let ring: BlockRing
    private let blockFrameCount: Int

    init(source: any AudioFrameSource, ring: BlockRing, blockFrameCount: Int) {
        self.source = source
        self.ring = ring
        self.blockFrameCount = blockFrameCount
    }

    func run() {
        var slot = 0
        while true {
            ring.free.wait()
            let isPrepared = AudioExporter.waitForPreparation(of: source, frameCount: blockFrameCount) {
                ring.isCancelled.load(ordering: .relaxed) || TerminationSignals.receivedSignal != 0
            }
            let frames = isPrepared ? ring.withSlot(slot) { source.render(into: $0, frameCount: blockFrameCount) } : 0
            ring.setFrameCount(frames, ofSlot: slot)
            ring.filled.signal()
            if frames <= 0 { break }
            slot = (slot + 1) % ring.slotCount
        }
        ring.finished.signal()
    }
}

/// Calls the progress callback when the completed thousandth changes.
private final class ProgressReporter {
    private let totalFrames: Int64
    private let callback: ((Int64, Int64) -> Void)?
    private var lastPermille: Int64 = -1

    init(totalFrames: Int64, callback: ((Int64, Int64) -> Void)?) {
        self.totalFrames = max(totalFrames, 1)
        self.callback = callback
    }

    func report(_ framesWritten: Int64) {
        guard let callback else { return }
        let permille = framesWritten * 1000 / totalFrames
        guard permille != lastPermille else { return }
        lastPermille = permille
        callback(framesWritten, totalFrames)
    }
}
