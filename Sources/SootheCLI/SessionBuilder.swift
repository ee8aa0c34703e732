import AudioFiles
import Foundation
import Sequencer
import Speech
import Synchronization
import Synthesis

/// Turns a routine and the user's options into a renderer: it lays out the timeline, plans the
/// sound from where each prompt is expected, and has the prompts spoken (all first for an export,
/// in the background while it plays for `play`). Play and export both build sessions here, so
/// with the same options they render the same samples.
final class SessionBuilder {
    let routine: Routine
    let sampleRate: Int
    private let synthesizer: PromptSynthesizer?
    /// Whether prompts are spoken on a background thread while the session plays.
    private let preparesInBackground: Bool
    /// Why a prompt could not be prepared in the background, once one could not.
    let preparation = PreparationStatus()
    /// Whether the first session to play has been built (its prompts spoken in the background).
    private var hasStartedPlaying = false
    /// The render settings; after the first build they carry its master gain, so a session rebuilt
    /// for a changed step length sounds as loud as the one before.
    private(set) var settings: RenderSettings
    /// The user's own sound, checked and measured before anything plays or is written.
    private let background: BackgroundAudioFile?

    init(
        routine: Routine, sampleRate: Int, speech: SpeechOptions, settings: RenderSettings,
        preparesInBackground: Bool = false
    ) throws {
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
        self.preparesInBackground = preparesInBackground
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

    /// A renderer for `timeline`. Its master gain comes from where the prompts are expected, so
    /// it does not wait for them; then they are spoken and handed over: for the first session
    /// played, in playing order on another thread; for an export, all spoken first and levelled
    /// beside the render; for a session rebuilt while playing (a step made longer or shorter),
    /// all before this returns, so the one playing goes on until the new one is whole.
    func makeRenderer(for timeline: SessionTimeline) throws -> SessionRenderer {
        let expected = try synthesizer?.expectedPrompts(for: timeline) ?? []
        // An export speaks its prompts before the renderer exists: a neural voice's model and the
        // renderer's buffers are then never in memory together.
        let preparedOnDisk = preparesInBackground ? nil : try synthesizer?.prepareOnDisk(for: timeline)
        let renderer = try SessionRenderer(
            timeline: timeline, settings: settings,
            voicePlans: expected.map {
                VoiceClipPlan(
                    earliestStartFrame: $0.earliestStartFrame, expectedStartFrame: $0.expectedStartFrame,
                    expectedFrameCount: $0.expectedFrameCount)
            }, mixIn: makeMixIn(for: timeline))
        settings.fixedMasterGainDecibels = renderer.masterGainDecibels
        guard let synthesizer else { return renderer }
        if preparesInBackground && !hasStartedPlaying {
            hasStartedPlaying = true
            let status = preparation
            let thread = Thread {
                do {
                    try synthesizer.prepareInOrder(for: timeline) { index, prompt in
                        do {
                            try renderer.deliver(
                                VoiceClip(
                                    startFrame: prompt.startFrame, samples: prompt.samples,
                                    isCleanedUp: prompt.isFinished),
                                toSlot: index)
                        } catch {
                            status.fail(error)
                        }
                    }
                } catch {
                    status.fail(error)
                }
                // Whatever could not be prepared stays silent, so playing never waits for it.
                renderer.abandonUndeliveredVoiceClips()
            }
            thread.name = "soothe prompts"
            thread.start()
        } else if preparesInBackground {
            let prompts = try synthesizer.prepare(for: timeline)
            for (index, prompt) in prompts.enumerated() {
                try renderer.deliver(
                    VoiceClip(startFrame: prompt.startFrame, samples: prompt.samples, isCleanedUp: prompt.isFinished),
                    toSlot: index)
            }
        } else {
            // Every prompt spoken (in parallel) and placed first, so that one that does not fit
            // stops an export before anything is written; each is then read back from the cache
            // and levelled just ahead of the render, so the session's prompts are not all held.
            let prompts = preparedOnDisk ?? []
            let memo = VoiceLevellingMemo(
                recall: { index, conditions in synthesizer.note(named: conditions, of: prompts[index]) },
                keep: { index, conditions, note in synthesizer.keep(note: note, named: conditions, of: prompts[index]) }
            )
            try renderer.deliverAhead(startFrames: prompts.map(\.startFrame), levellingMemo: memo) { index in
                let prompt = prompts[index]
                return VoiceClipSource(
                    startFrame: prompt.startFrame, frameCount: Int(prompt.frameCount), isCleanedUp: prompt.isFinished
                ) { samples in
                    do throws(SpeechError) { try synthesizer.read(prompt, into: samples) } catch {
                        throw SynthesisError(error.message)
                    }
                }
            }
        }
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

/// Whether the prompts prepared in the background all made it: the first error, if any.
final class PreparationStatus: Sendable {
    private let failure = Mutex<(any Error)?>(nil)

    func fail(_ error: any Error) {
        failure.withLock { if $0 == nil { $0 = error } }
    }

    var error: (any Error)? { failure.withLock { $0 } }
}
