import AudioFiles
import Foundation
import Sequencer
import Testing

@testable import Synthesis

/// One spoken session rendered four ways, shared by the tests that measure the mix: quick-reset
/// squeezed to two minutes, a speech-like clip after each step's chime and closing words before
/// the final fade.
private struct VoicedRender: Sendable {
    static let rate = 48000
    let timeline: SessionTimeline
    let clips: [VoiceClip]
    /// Everything.
    let full: [Float]
    /// The bed ducked under the (muted) voice, and the chimes.
    let ducked: [Float]
    /// The bed with no voice at all, so never ducked, and the chimes.
    let plain: [Float]
    /// The chimes alone.
    let chimes: [Float]
    let masterGainDecibels: Double

    static let shared: Result<VoicedRender, SynthesisError> = Result { () throws(SynthesisError) in
        let timeline: SessionTimeline
        do { timeline = try makeTimeline("quick-reset", totalSeconds: 120) } catch {
            throw SynthesisError("\(error)")
        }
        var clips: [VoiceClip] = []
        for (index, step) in timeline.steps.enumerated() {
            let delay = index == 0 ? PromptTiming.startChimeDelay.seconds : 0
            let start = step.startFrame + Int64((delay + PromptTiming.leadIn.seconds) * Double(rate))
            let seconds = min(5.0, Double(step.endFrame - start) / Double(rate) - 1.5)
            clips.append(VoiceClip(startFrame: start, samples: speechLikeClip(seconds: seconds, seed: 7)))
        }
        let closing = speechLikeClip(seconds: 3, seed: 7)
        clips.append(
            VoiceClip(
                startFrame: timeline.totalFrames - Int64(PromptTiming.closeMargin.seconds * Double(rate))
                    - Int64(closing.count), samples: closing))
        let renderer = try SessionRenderer(timeline: timeline, voiceClips: clips)
        let gain = renderer.masterGainDecibels
        func render(_ clips: [VoiceClip], voiceMuted: Bool = false, bedMuted: Bool = false) throws(SynthesisError)
            -> [Float]
        {
            var settings = RenderSettings(fixedMasterGainDecibels: gain)
            settings.isVoiceMuted = voiceMuted
            settings.isBedMuted = bedMuted
            return renderAll(try SessionRenderer(timeline: timeline, settings: settings, voiceClips: clips))
        }
        return VoicedRender(
            timeline: timeline, clips: clips, full: renderAll(renderer), ducked: try render(clips, voiceMuted: true),
            plain: try render([]), chimes: try render(clips, voiceMuted: true, bedMuted: true),
            masterGainDecibels: gain)
    }

    /// Short-term (3 s) loudness by libebur128 every 100 ms, index i at the end of 100 ms block i.
    static func shortTerm(_ samples: [Float]) throws -> [Double] {
        try loudnessCurve(samples) { $0.shortTermLoudnessLUFS }
    }

    /// Momentary (400 ms) loudness by libebur128 every 100 ms.
    static func momentary(_ samples: [Float]) throws -> [Double] {
        try loudnessCurve(samples) { $0.momentaryLoudnessLUFS }
    }

    private static func loudnessCurve(_ samples: [Float], _ read: (LoudnessMeter) -> Double) throws -> [Double] {
        let meter = try LoudnessMeter(channelCount: 2, sampleRate: rate, measuresTruePeak: false)
        var values: [Double] = []
        let block = rate / 10
        samples.withUnsafeBufferPointer { buffer in
            var frame = 0
            while (frame + block) * 2 <= buffer.count {
                meter.add(buffer.baseAddress! + frame * 2, frameCount: block)
                values.append(read(meter))
                frame += block
            }
        }
        return values
    }
}

/// The difference of two interleaved renders.
private func minus(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { $0 - $1 } }

/// The RMS level of the left channel over `frames`, in dB.
private func leftLevel(_ samples: [Float], _ frames: Range<Int>) -> Double {
    var sum = 0.0
    for frame in frames { sum += Double(samples[2 * frame]) * Double(samples[2 * frame]) }
    return 10 * log10(max(sum / Double(frames.count), 1e-30))
}

@Suite struct MixTargetTests {
    private let rate = VoicedRender.rate

    @Test func theVoiceSitsOverTheBedAndNothingPokesOut() throws {
        let render = try VoicedRender.shared.get()
        let shortTerm = try VoicedRender.shortTerm(render.full)
        let momentary = try VoicedRender.momentary(render.full)
        let bedShortTerm = try VoicedRender.shortTerm(minus(render.plain, render.chimes))
        // The voice's short-term level: 3 s windows that lie wholly inside a clip.
        var voiceLevels: [Double] = []
        let fadeStart =
            render.timeline.totalFrames
            - Int64((SessionEnding.fadeOutDuration + SessionEnding.endSilenceDuration) * Double(rate))
        for clip in render.clips where clip.samples.count >= 4 * rate && clip.startFrame + Int64(4 * rate) < fadeStart {
            voiceLevels.append(shortTerm[Int(clip.startFrame) / (rate / 10) + 35])
        }
        // The prompts fall gently toward sleep (by up to 2 dB); the voice's level is their loudest.
        let voice = voiceLevels.max() ?? 0
        let text = voiceLevels.map { String(format: "%.1f", $0) }.joined(separator: " ")
        #expect(voiceLevels.allSatisfy { voice - $0 < 2.5 }, "voice short-term levels: \(text)")
        #expect(abs(voice - -18) <= 1.5, "the voice's short-term level is \(voice) LUFS at the default loudness")
        // Between prompts, away from the start and the end: the bed alone.
        let between = (200..<(shortTerm.count - 200)).filter { block in
            let frame = Int64(block * rate / 10)
            return render.clips.allSatisfy {
                frame < $0.startFrame - Int64(rate) || frame > $0.startFrame + Int64($0.samples.count + 7 * rate)
            }
        }
        try #require(!between.isEmpty)
        let bed = between.map { bedShortTerm[$0] }.reduce(0, +) / Double(between.count)
        #expect((10...12).contains(voice - bed), "voice \(voice) LUFS, bed \(bed) LUFS between prompts")
        let loudestMomentary = momentary.filter(\.isFinite).max() ?? 0
        let loudestShortTerm = shortTerm.filter(\.isFinite).max() ?? 0
        #expect(loudestMomentary <= voice + 4, "momentary \(loudestMomentary) LUFS over a voice of \(voice)")
        #expect(loudestShortTerm <= voice + 1, "short-term \(loudestShortTerm) LUFS over a voice of \(voice)")
    }

    @Test func theBedDucksGentlyAroundEachPrompt() throws {
        let render = try VoicedRender.shared.get()
        let bedDucked = minus(render.ducked, render.chimes)
        let bedPlain = minus(render.plain, render.chimes)
        let window = rate / 50
        func dip(at seconds: Double) -> Double {
            let frame = Int(seconds * Double(rate))
            return leftLevel(bedPlain, frame..<(frame + window)) - leftLevel(bedDucked, frame..<(frame + window))
        }
        // Prompts closer than a release and an attack share one dip; measure those clear of others.
        let clips = render.clips
        var measured = 0
        for (index, clip) in clips.enumerated().dropLast() {
            let start = Double(clip.startFrame) / Double(rate)
            let end = start + Double(clip.samples.count) / Double(rate)
            let previousEnd =
                index == 0
                ? -10 : Double(Int(clips[index - 1].startFrame) + clips[index - 1].samples.count) / Double(rate)
            let nextStart = Double(clips[index + 1].startFrame) / Double(rate)
            let fadeStart =
                Double(render.timeline.totalFrames) / Double(rate) - SessionEnding.fadeOutDuration
                - SessionEnding.endSilenceDuration
            // A dip whose release would reach into the final fade holds instead (tested below).
            guard start - previousEnd > 5, nextStart - end > 5, end + 4 < fadeStart else { continue }
            measured += 1
            #expect(abs(dip(at: start - 0.5)) < 0.1, "dipped before its attack, at \(start) s")
            #expect(dip(at: start - 0.4) > 0.05, "no attack 400 ms before the voice at \(start) s")
            #expect(dip(at: start - 0.02) > 3, "the dip is not deep when the voice starts at \(start) s")
            let depth = dip(at: (start + end) / 2)
            #expect((3...4).contains(depth), "the bed dips \(depth) dB under the voice at \(start) s")
            #expect(dip(at: end + 0.7) > 3, "the dip does not hold after the voice ending at \(end) s")
            #expect(dip(at: end + 1.5) < depth - 0.2, "no release 0.75 s after the voice ending at \(end) s")
            #expect(dip(at: end + 2.5) > 0.1, "the release is over too soon after \(end) s")
            #expect(abs(dip(at: end + 3.4)) < 0.1, "the release lasts past 2.5 s after \(end) s")
        }
        #expect(measured >= 2, "only \(measured) prompts stand clear of the others")
    }

    @Test func theSessionStartsFromSilenceAndItsChimeComesAfterTheBed() throws {
        let render = try VoicedRender.shared.get()
        let first = render.full.prefix(rate / 100 * 2).map { abs($0) }.max() ?? 1
        #expect(20 * log10(max(first, 1e-12)) < -50, "the first 10 ms peak at \(20 * log10(first)) dBFS")
        let onset = try #require(render.chimes.indices.first { abs(render.chimes[$0]) > 1e-4 })
        let seconds = Double(onset / 2) / Double(rate)
        #expect((1.5...2).contains(seconds), "the start chime strikes at \(seconds) s")
        let bedAtChime = leftLevel(render.plain, (onset / 2 - rate / 10)..<(onset / 2))
        #expect(bedAtChime > -60, "the bed has not faded in when the chime strikes: \(bedAtChime) dB")
    }

    @Test func theEndFadesEvenlyInDecibelsWithTheDuckHeld() throws {
        let render = try VoicedRender.shared.get()
        let total = Int(render.timeline.totalFrames)
        let silence = Int(SessionEnding.endSilenceDuration * Double(rate))
        let fade = Int(SessionEnding.fadeOutDuration * Double(rate)) + silence
        let closing = try #require(render.clips.last)
        #expect(Int(closing.startFrame) + closing.samples.count <= total - fade, "the closing words run into the fade")
        // The bed's level in dB against time over the fade, with the chimes taken out.
        let bed = minus(render.ducked, render.chimes)
        let plain = minus(render.plain, render.chimes)
        var times: [Double] = []
        var levels: [Double] = []
        for second in stride(from: 1.0, through: 13.0, by: 0.5) {
            let frame = total - fade + Int(second * Double(rate))
            times.append(second)
            levels.append(leftLevel(plain, frame..<(frame + rate / 2)))
        }
        let meanTime = times.reduce(0, +) / Double(times.count)
        let meanLevel = levels.reduce(0, +) / Double(levels.count)
        var covariance = 0.0
        var variance = 0.0
        for (time, level) in zip(times, levels) {
            covariance += (time - meanTime) * (level - meanLevel)
            variance += (time - meanTime) * (time - meanTime)
        }
        let slope = covariance / variance
        var residual = 0.0
        for (time, level) in zip(times, levels) {
            residual = max(residual, abs(level - (meanLevel + slope * (time - meanTime))))
        }
        #expect(abs(slope - -60 / SessionEnding.fadeOutDuration) < 0.4, "the fade falls \(slope) dB a second")
        // What strays is the bed's own breathing (about ±1.6 dB), not the fade.
        #expect(residual < 2.5, "the fade strays \(residual) dB from an even fall")
        // The duck from the closing words holds through the fade: no release inside it.
        for second in [1.0, 7.0, 13.0] {
            let frame = total - fade + Int(second * Double(rate))
            let dip = leftLevel(plain, frame..<(frame + rate / 2)) - leftLevel(bed, frame..<(frame + rate / 2))
            #expect(abs(dip - 3.5) < 0.3, "the duck is \(dip) dB at \(second) s into the fade")
        }
        // The fade reaches zero, and digital silence holds after it.
        let end = render.full.suffix(2 * silence + 2)
        #expect(
            end.allSatisfy { $0 == 0 && $0.sign == .plus }, "the last \(silence + 1) frames are not digital silence")
        #expect(
            render.full.dropLast(2 * silence + 2).suffix(rate / 5).contains { $0 != 0 }, "silent before the fade's end")
    }

    @Test func volumeActsBeforeTheLimiter() throws {
        let render = try VoicedRender.shared.get()
        let renderer = try SessionRenderer(
            timeline: render.timeline, settings: RenderSettings(fixedMasterGainDecibels: render.masterGainDecibels),
            voiceClips: render.clips)
        renderer.setVolume(decibels: 12)
        let louder = renderAll(renderer)
        let meter = try measure(louder)
        #expect(meter.truePeakDecibels <= -1, "true peak \(meter.truePeakDecibels) dBTP at +12 dB")
        #expect(meter.integratedLoudnessLUFS > RenderSettings.defaultLoudnessTargetLUFS + 6, "the volume did nothing")
    }

    @Test func eachStepsPromptIsALittleQuieterTowardSleep() throws {
        // At its own length, so the last step's prompt comes well before the final fade.
        let timeline = try makeTimeline("quick-reset")
        // The same sentence in every step, so the levels differ only by the fall; the master
        // gain keeps the limiter out of it.
        let sentence = speechLikeClip(seconds: 1.5, seed: 5)
        let clips = timeline.steps.map { VoiceClip(startFrame: $0.startFrame + Int64(rate), samples: sentence) }
        var settings = RenderSettings(fixedMasterGainDecibels: -20)
        settings.isBedMuted = true
        settings.leansToSide = false
        var muted = settings
        muted.isVoiceMuted = true
        let voice = minus(
            renderAll(try SessionRenderer(timeline: timeline, settings: settings, voiceClips: clips)),
            renderAll(try SessionRenderer(timeline: timeline, settings: muted, voiceClips: clips)))
        let levels = clips.map { clip in
            leftLevel(voice, Int(clip.startFrame)..<(Int(clip.startFrame) + sentence.count))
        }
        let text = levels.map { String(format: "%.2f", $0 - levels[0]) }.joined(separator: " ")
        for index in 1..<(levels.count - 1) {
            let expected = min(0.3 * Double(index), 2) - min(0.3 * Double(index - 1), 2)
            let fall = levels[index - 1] - levels[index]
            #expect(abs(fall - expected) < 0.05, "step \(index): \(fall) dB under the one before; \(text)")
        }
        let last = levels[0] - levels[levels.count - 1]
        #expect(abs(last - 2) < 0.05, "the last step's prompt is \(last) dB under the first; \(text)")
    }

    @Test func eachSideStepsLeanTowardTheirSide() throws {
        let timeline = try makeTimeline("bedtime-foot", totalSeconds: 180)
        let step = try #require(timeline.steps.first { $0.side == .left && !$0.isSideSwitch })
        let clip = VoiceClip(startFrame: step.startFrame + Int64(rate), samples: speechLikeClip(seconds: 3, seed: 3))
        func voiceAlone(leans: Bool) throws -> [Float] {
            var settings = RenderSettings(fixedMasterGainDecibels: -20)
            settings.leansToSide = leans
            settings.isBedMuted = true
            var muted = settings
            muted.isVoiceMuted = true
            let part = Int64(rate * 5)
            let with = try SessionRenderer(timeline: timeline, settings: settings, voiceClips: [clip])
            let without = try SessionRenderer(timeline: timeline, settings: muted, voiceClips: [clip])
            return minus(
                renderRange(with, from: step.startFrame, count: part),
                renderRange(without, from: step.startFrame, count: part))
        }
        let leaning = try voiceAlone(leans: true)
        let centred = try voiceAlone(leans: false)
        func channels(_ samples: [Float]) -> (left: Double, right: Double) {
            var left = 0.0, right = 0.0
            for frame in 0..<(samples.count / 2) {
                left += Double(samples[2 * frame]) * Double(samples[2 * frame])
                right += Double(samples[2 * frame + 1]) * Double(samples[2 * frame + 1])
            }
            return (left, right)
        }
        let lean = channels(leaning)
        let nearer = 10 * log10(lean.left / lean.right)
        #expect((3...4).contains(nearer), "the left channel is \(nearer) dB louder in a left-side step")
        let flat = channels(centred)
        #expect(abs(10 * log10(flat.left / flat.right)) < 0.01, "--no-lean still leans")
        // Summed to mono, the lean costs little.
        func mono(_ samples: [Float]) -> Double {
            var sum = 0.0
            for frame in 0..<(samples.count / 2) {
                let value = Double(samples[2 * frame] + samples[2 * frame + 1]) / 2
                sum += value * value
            }
            return sum
        }
        let loss = 10 * log10(mono(centred) / mono(leaning))
        #expect(
            loss <= 0.5,
            "mono loses \(loss) dB with the lean (left \(lean.left), right \(lean.right), centred \(flat.left), \(flat.right))"
        )
    }

    @Test func theVoiceIsHighPassedAndDeEssed() {
        // White noise: flat, so the bands compare as the filters leave them.
        var state: UInt64 = 1
        let noise = (0..<(rate * 4)).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Double(state >> 11) * 0x1.0p-53 - 0.5) * 0.2
        }
        let cleaned = VoiceTrack.clean(noise, sampleRate: rate)
        let size = 8192
        let before = powerSpectrum(noise, size: size)
        let after = powerSpectrum(cleaned, size: size)
        func band(_ spectrum: [Double], _ range: ClosedRange<Double>) -> Double {
            let bins = spectrum.indices.filter { range.contains(Double($0) * Double(rate) / Double(size)) }
            return bins.map { spectrum[$0] }.reduce(0, +) / Double(bins.count)
        }
        let rumble = 10 * log10(band(after, 20...35) / band(before, 20...35))
        let speech = 10 * log10(band(after, 300...3000) / band(before, 300...3000))
        #expect(rumble < -12, "20-35 Hz only \(rumble) dB down")
        #expect(abs(speech) < 1, "300-3000 Hz changed by \(speech) dB")
        let sibilance = 10 * log10(band(after, 6000...7000) / band(after, 4000...5000))
        #expect(sibilance <= 0, "6-7 kHz is \(sibilance) dB over 4-5 kHz")
    }

    @Test func theBedHoldsOnAPhoneAndStaysInTheKey() throws {
        let render = try VoicedRender.shared.get()
        let bed = minus(render.plain, render.chimes)
        let part = Array(bed[(30 * rate * 2)..<(90 * rate * 2)])
        let left = leftChannel(part)
        let size = 32768
        let spectrum = powerSpectrum(left, size: size)
        let total = spectrum.reduce(0, +)
        func share(below hertz: Double) -> Double {
            spectrum.indices.filter { Double($0) * Double(rate) / Double(size) < hertz }.map { spectrum[$0] }
                .reduce(0, +) / total
        }
        let body =
            spectrum.indices.filter { (200.0...600).contains(Double($0) * Double(rate) / Double(size)) }
            .map { spectrum[$0] }.reduce(0, +) / total
        #expect(share(below: 80) <= 0.15, "\(share(below: 80) * 100) % of the bed's power is under 80 Hz")
        #expect(share(below: 30) <= 0.01, "\(share(below: 30) * 100) % of the bed's power is under 30 Hz")
        #expect(body >= 0.5, "only \(body * 100) % of the bed's power is in 200-600 Hz")
        let phone = phoneSpeaker(left, sampleRate: rate)
        let full = try LoudnessMeter(channelCount: 1, sampleRate: rate, measuresTruePeak: false)
        full.add(left)
        let small = try LoudnessMeter(channelCount: 1, sampleRate: rate, measuresTruePeak: false)
        small.add(phone)
        let loss = full.integratedLoudnessLUFS - small.integratedLoudnessLUFS
        #expect(loss <= 6, "the bed loses \(loss) LU on a phone speaker")
    }
}

/// `count` frames of `renderer` from `frame`.
func renderRange(_ renderer: SessionRenderer, from frame: Int64, count: Int64) -> [Float] {
    renderer.seek(toFrame: frame)
    var samples = [Float](repeating: 0, count: Int(count) * 2)
    samples.withUnsafeMutableBufferPointer { buffer in
        var done = 0
        while done < Int(count) {
            let written = renderer.render(into: buffer.baseAddress! + done * 2, frameCount: Int(count) - done)
            if written == 0 { break }
            done += written
        }
    }
    return samples
}
