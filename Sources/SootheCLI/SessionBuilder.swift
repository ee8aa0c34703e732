import AudioFiles
import Sequencer
import Speech
import Synthesis

/// Turns a routine and the user's options into a renderer: it lays out the timeline, speaks the
/// prompts before any sound starts, and prepares the sound. Play and export both build sessions
/// here, so with the same options they render the same samples.
final class SessionBuilder {
    let routine: Routine
    let sampleRate: Int
    private let synthesizer: PromptSynthesizer?
    /// The render settings; after the first build they carry its master gain, so a session rebuilt
    /// for a changed step length sounds as loud as the one before.
    private(set) var settings: RenderSettings
    /// The user's own sound, checked and measured before anything plays or is written.
    private let background: BackgroundAudioFile?

    init(routine: Routine, sampleRate: Int, speech: SpeechOptions, settings: RenderSettings) throws {
        self.routine = routine
        self.sampleRate = sampleRate
        do {
            background = try routine.bed.file.map { path throws(AudioFileError) in
                try BackgroundAudioFile.inspect(path)
            }
        } catch {
            throw CommandError(error.message, exitStatus: 65)
        }
        self.synthesizer = try speech.makeSynthesizer(routineRate: routine.speechRatePerMinute)
        self.settings = settings
    }

    /// A timeline for `customization` and a renderer ready to play it from the first frame.
    func makeSession(_ customization: SessionCustomization) throws -> (SessionTimeline, SessionRenderer) {
        let timeline = try makeTimeline(customization)
        return (timeline, try makeRenderer(for: timeline))
    }

    /// The routine laid out with `customization`; quick, with nothing spoken yet.
    func makeTimeline(_ customization: SessionCustomization) throws -> SessionTimeline {
        try SessionTimeline(routine: routine, customization: customization, sampleRate: sampleRate)
    }

    /// A renderer for `timeline`, with its prompts spoken first.
    func makeRenderer(for timeline: SessionTimeline) throws -> SessionRenderer {
        let prompts = try synthesizer?.prepare(for: timeline) ?? []
        let clips = prompts.map { VoiceClip(startFrame: $0.startFrame, samples: $0.samples) }
        let renderer = try SessionRenderer(
            timeline: timeline, settings: settings, voiceClips: clips, mixIn: makeMixIn(for: timeline))
        settings.fixedMasterGainDecibels = renderer.masterGainDecibels
        return renderer
    }

    /// The user's own sound for `timeline`, streamed by a read-ahead thread of its own.
    private func makeMixIn(for timeline: SessionTimeline) throws -> MixIn? {
        guard let background else { return nil }
        let stream: LoopingAudioStream
        do {
            stream = try LoopingAudioStream(
                file: background, sampleRate: sampleRate, sessionFrameCount: timeline.totalFrames, seed: settings.seed)
        } catch {
            throw CommandError(error.message, exitStatus: 65)
        }
        let feed = MixInFeed { buffer, frameCount in try stream.read(into: buffer, frameCount: frameCount) }
        latestFeed = feed
        return MixIn(feed: feed, loudnessLUFS: background.loudnessLUFS)
    }

    /// The feed of the latest renderer, to ask afterwards whether the file could be read to the end.
    private var latestFeed: MixInFeed?

    /// Why the background file stopped part-way (a file damaged past the windows checked at the
    /// start), or `nil`.
    var backgroundProblem: String? {
        guard let background, let error = latestFeed?.producerError else { return nil }
        return "the background file '\(background.path)' could not be read to its end (\(error)); "
            + "the session has no background sound from there on"
    }
}
