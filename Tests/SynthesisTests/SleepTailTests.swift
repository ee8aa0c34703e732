import AudioFiles
import Foundation
import Sequencer
import Testing

@testable import Synthesis

/// A built-in routine squeezed to `totalSeconds`, with a sleep tail of `tailSeconds` after it.
private func makeTailTimeline(
    _ name: String, totalSeconds: Double, tailSeconds: Double, sampleRate: Int = 48000
) throws -> SessionTimeline {
    let customization = SessionCustomization(
        totalDuration: SessionDuration(seconds: totalSeconds), sleepTail: SessionDuration(seconds: tailSeconds))
    return try SessionTimeline(
        routine: try RoutineLibrary.builtIn(named: name), customization: customization, sampleRate: sampleRate)
}

/// One render shared by the tests that only look at it: a minute of quick-reset and a 90 s tail.
private struct TailRender: Sendable {
    static let tailSeconds = 90.0
    let timeline: SessionTimeline
    let samples: [Float]
    let masterGainDecibels: Double

    static let shared: Result<TailRender, SynthesisError> = Result { () throws(SynthesisError) in
        let timeline: SessionTimeline
        do {
            timeline = try makeTailTimeline("quick-reset", totalSeconds: 60, tailSeconds: tailSeconds)
        } catch {
            throw SynthesisError("\(error)")
        }
        let renderer = try SessionRenderer(timeline: timeline, settings: RenderSettings(seed: 1))
        return TailRender(
            timeline: timeline, samples: renderAll(renderer), masterGainDecibels: renderer.masterGainDecibels)
    }

    var stepsEnd: Int { Int(timeline.stepsEndFrame) }
    var total: Int { Int(timeline.totalFrames) }
}

/// The K-weighted mean square of both channels over `frames`, in dB (ungated, so silence is -inf):
/// what libebur128 would sum for one block of that length.
private func weightedLevelDecibels(_ samples: [Float], frames: Range<Int>, sampleRate: Int = 48000) -> Double {
    let weighting = KWeighting(sampleRate: sampleRate)
    var energy = 0.0
    for channel in 0..<2 {
        // The filter runs from a second before the window, so it has settled.
        let from = max(0, frames.lowerBound - sampleRate)
        let mono = stride(from: from * 2 + channel, to: frames.upperBound * 2, by: 2).map { samples[$0] }
        mono.withUnsafeBufferPointer { buffer in
            weighting.forEachWeightedSquare(of: buffer.baseAddress!, count: buffer.count) { index, square in
                if from + index >= frames.lowerBound { energy += square }
            }
        }
    }
    return -0.691 + 10 * log10(energy / Double(frames.count))
}

@Suite struct SleepTailTests {
    @Test func rendersExactlyTheTimelinesFrames() throws {
        let render = try TailRender.shared.get()
        #expect(render.samples.count == render.total * 2)
        #expect(render.total - render.stepsEnd == Int(TailRender.tailSeconds) * 48000)
    }

    @Test func endsInDigitalSilence() throws {
        let render = try TailRender.shared.get()
        let lastTenth = render.samples[(render.total - 4800) * 2..<render.total * 2]
        #expect(lastTenth.allSatisfy { $0 == 0 }, "the last 100 ms are not all exactly 0")
        // A whole second of silence, and sound just before it.
        let lastSecond = render.samples[(render.total - 48000) * 2..<render.total * 2]
        #expect(lastSecond.allSatisfy { $0 == 0 }, "the last second is not all exactly 0")
        let before = render.samples[(render.total - 58000) * 2..<(render.total - 49000) * 2]
        #expect(before.contains { $0 != 0 }, "the tail is silent too early")
    }

    @Test func loudnessFallsSteadilyThroughTheTail() throws {
        let render = try TailRender.shared.get()
        let window = 10 * 48000
        var levels: [Double] = []
        var start = render.stepsEnd
        while start + window <= render.total - 48000 {
            levels.append(weightedLevelDecibels(render.samples, frames: start..<(start + window)))
            start += window
        }
        let stepsLevel = weightedLevelDecibels(render.samples, frames: (render.stepsEnd - window)..<render.stepsEnd)
        let text = levels.map { String(format: "%.1f", $0) }.joined(separator: " ")
        #expect(levels.count == 8)
        for index in levels.indices.dropFirst() {
            #expect(levels[index] <= levels[index - 1] + 0.3, "window \(index): \(text)")
        }
        // A steady fall: no window falls by much more than its share of the whole.
        let steps = zip(levels, levels.dropFirst()).map { $0 - $1 }
        #expect(levels.first! <= stepsLevel + 0.5, "the tail starts louder than the steps ended: \(text)")
        #expect(levels.first! - levels.last! >= 30, "the tail falls only \(levels.first! - levels.last!) dB: \(text)")
        // An even fall: each 30 s span's drop within 20 % of the mean (shorter spans carry the bed's
        // own slow swells, which a listener hears as breathing, not as the tail).
        let meanStep = (levels.first! - levels.last!) / Double(steps.count)
        for index in 0..<(levels.count - 3) {
            let drop = levels[index] - levels[index + 3]
            #expect(abs(drop - 3 * meanStep) <= 0.2 * 3 * meanStep, "uneven fall: \(text)")
        }
        // The depth the README states: the fall over the tail's fading part, to its final ramp.
        let fadingSeconds =
            TailRender.tailSeconds - SessionEnding.tailSilenceDuration - SessionEnding.tailFinalRampDuration
        let depth = meanStep / 10 * fadingSeconds
        #expect(abs(depth - SessionEnding.tailFallDecibels) <= 3, "the tail falls \(depth) dB: \(text)")
    }

    @Test func theSessionBeforeTheTailMeetsTheLoudnessTarget() throws {
        let render = try TailRender.shared.get()
        let meter = try measure(Array(render.samples[0..<render.stepsEnd * 2]))
        #expect(
            abs(meter.integratedLoudnessLUFS - RenderSettings.defaultLoudnessTargetLUFS) <= 0.5,
            "\(meter.integratedLoudnessLUFS) LUFS before the tail, gain \(render.masterGainDecibels) dB")
        #expect(try measure(render.samples).truePeakDecibels <= -1)
    }

    @Test func theTailDarkens() throws {
        let render = try TailRender.shared.get()
        // The RMS frequency of the left channel, from the power of its first difference against
        // its own, per 2 s so that the falling level does not weight it; averaged over a third of
        // the tail, which is about a cycle of the voices' slowed swells.
        func rmsFrequencyHertz(fromSecond first: Int, toSecond last: Int) -> Double {
            var sum = 0.0
            for block in stride(from: first, to: last, by: 2) {
                var signal = 0.0, difference = 0.0
                let start = render.stepsEnd + block * 48000
                for frame in (start + 1)..<(start + 2 * 48000) {
                    let sample = Double(render.samples[frame * 2]), previous = Double(render.samples[frame * 2 - 2])
                    signal += sample * sample
                    difference += (sample - previous) * (sample - previous)
                }
                sum += (difference / signal).squareRoot() * 48000 / (2 * .pi)
            }
            return sum / Double((last - first) / 2)
        }
        let early = rmsFrequencyHertz(fromSecond: 0, toSecond: 30)
        let late = rmsFrequencyHertz(fromSecond: 58, toSecond: 88)
        #expect(late < 0.8 * early, "early tail \(early) Hz, late tail \(late) Hz")
    }

    @Test func theBreathSlowsThroughTheTail() throws {
        let timeline = try makeTailTimeline("quick-reset", totalSeconds: 60, tailSeconds: 90)
        var random = SeededRandom(seed: 1)
        let bed = ToneBed(timeline: timeline, random: &random, ducking: Ducking(clips: [], sampleRate: 48000))
        // In the tail the bed's level is steady, so the noise's overall gain follows the surf,
        // which follows the breath: its peaks are a breath apart.
        let step = 480
        var surf: [Double] = []
        for frame in stride(from: timeline.stepsEndFrame, to: timeline.totalFrames, by: step) {
            let control = bed.control(atFrame: frame)
            surf.append(
                (control.brightNoiseGain * control.brightNoiseGain + control.darkNoiseGain * control.darkNoiseGain)
                    .squareRoot())
        }
        let peaks = surf.indices.dropFirst().dropLast().filter { surf[$0] > surf[$0 - 1] && surf[$0] >= surf[$0 + 1] }
        let periods = zip(peaks, peaks.dropFirst()).map { Double($1 - $0) * Double(step) / 48000 }
        #expect(periods.count >= 4, "breath periods \(periods)")
        for index in periods.indices.dropFirst() {
            #expect(periods[index] > periods[index - 1], "breath periods \(periods)")
        }
        let first = try #require(periods.first), last = try #require(periods.last)
        #expect(abs(first - 10.5) < 1, "the first breath lasts \(first) s")
        #expect(last > 1.5 * first, "breath periods \(periods)")
    }

    @Test func noChimeStrikesInTheTail() throws {
        // Two plain steps: the last one long enough that its own chime has died away by the tail.
        let routine = Routine(
            name: "two-steps", title: "Two steps",
            items: [
                .step(RoutineStep(id: "first", title: "First", duration: SessionDuration(seconds: 20))),
                .step(RoutineStep(id: "second", title: "Second", duration: SessionDuration(seconds: 30))),
            ])
        let timeline = try SessionTimeline(
            routine: routine, customization: SessionCustomization(sleepTail: SessionDuration(seconds: 20)))
        var settings = RenderSettings()
        settings.isBedMuted = true
        let renderer = try SessionRenderer(timeline: timeline, settings: settings)
        let samples = renderAll(renderer)
        let stepsEnd = Int(timeline.stepsEndFrame)
        let chime = Int(renderer.sessionEndChimeFrame)
        let closingPeak = samples[(chime * 2)..<(stepsEnd * 2)].map { abs($0) }.max() ?? 0
        let tailPeak = samples[(stepsEnd * 2)...].map { abs($0) }.max() ?? 0
        // The closing chime rings on into the tail, 12 s decayed; a new strike would be as loud as it.
        #expect(closingPeak > 0.01)
        #expect(tailPeak < closingPeak * 0.03, "tail peak \(tailPeak) against the closing chime's \(closingPeak)")
    }

    /// Hashes of quick-reset squeezed to 36 s with a 20 s sleep tail and seed 3 (accepted from a
    /// debug build); a change to the tail's sound changes it, on purpose.
    static let acceptedHashes: Set<String> = ["2705d781d2b910ba"]

    @Test func blockSizeDoesNotChangeTheTail() throws {
        let timeline = try makeTailTimeline("quick-reset", totalSeconds: 36, tailSeconds: 20)
        let hashes = try hashesByBlockSize(timeline)
        #expect(Set(hashes.values).count == 1, "hashes by block size: \(hashes)")
        let hash = try #require(hashes[4096])
        #expect(Self.acceptedHashes.contains(hash), "new PCM hash \(hash): review the sound, then accept it")
    }

    @Test func noClickOrChimeStartsInTheTail() throws {
        let render = try TailRender.shared.get()
        let detector = ClickDetector(sampleRate: 48000)
        for channel in 0..<2 {
            let mono = stride(from: channel, to: render.samples.count, by: 2).map { render.samples[$0] }
            let click = detector.largestClick(in: mono, range: render.stepsEnd..<render.total)
            #expect(click < 0.02, "channel \(channel): \(click)")
        }
    }
}
