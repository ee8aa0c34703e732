import AudioFiles
import Foundation
import Sequencer
import Testing

@testable import Synthesis

/// The pad of a whole routine at its own length, alone: no noise, no voice, and the chimes (a
/// render with the bed muted) taken out, at a master gain that keeps the limiter idle so that the
/// difference is exactly the bed.
private struct PadRender: Sendable {
    static let rate = 48000
    let timeline: SessionTimeline
    /// The mid channel, (left + right) / 2.
    let mid: [Float]

    init(routine name: String) throws {
        try self.init(routine: try RoutineLibrary.builtIn(named: name))
    }

    /// - Parameter masterGainDecibels: the master gain; by default 12 dB under the planned one.
    init(routine original: Routine, masterGainDecibels: Double? = nil) throws {
        var routine = original
        routine.bed.noise = .none
        timeline = try SessionTimeline(routine: routine, customization: SessionCustomization(), sampleRate: Self.rate)
        let gain = try masterGainDecibels ?? SessionRenderer(timeline: timeline).masterGainDecibels - 12
        var settings = RenderSettings(fixedMasterGainDecibels: gain)
        let withChimes = renderAll(try SessionRenderer(timeline: timeline, settings: settings))
        settings.isBedMuted = true
        let chimes = renderAll(try SessionRenderer(timeline: timeline, settings: settings))
        mid = (0..<(withChimes.count / 2)).map { frame in
            ((withChimes[2 * frame] - chimes[2 * frame]) + (withChimes[2 * frame + 1] - chimes[2 * frame + 1])) / 2
        }
    }
}

/// Hann-windowed power spectra of `size` points (a power of two), with the window and the
/// twiddles made once, so that the thousands of windows across a chord change stay quick.
private struct ShortTimeSpectrum {
    let size: Int
    private let window: [Double]
    private let cosines: [Double]
    private let sines: [Double]
    private let reversed: [Int]

    init(size: Int) {
        precondition(size > 1 && size & (size - 1) == 0, "the FFT size must be a power of two")
        self.size = size
        window = (0..<size).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size)) }
        cosines = (0..<(size / 2)).map { cos(-2 * Double.pi * Double($0) / Double(size)) }
        sines = (0..<(size / 2)).map { sin(-2 * Double.pi * Double($0) / Double(size)) }
        let bits = size.trailingZeroBitCount
        reversed = (0..<size).map { index in
            var result = 0
            for bit in 0..<bits where index & (1 << bit) != 0 { result |= 1 << (bits - 1 - bit) }
            return result
        }
    }

    /// The power in each bin of `samples[start..<start + size]`; bin k lies at k × rate / size Hz.
    func power(of samples: [Float], from start: Int) -> [Double] {
        var real = [Double](repeating: 0, count: size)
        var imaginary = [Double](repeating: 0, count: size)
        var spectrum = [Double](repeating: 0, count: size / 2)
        samples.withUnsafeBufferPointer { input in
            real.withUnsafeMutableBufferPointer { re in
                imaginary.withUnsafeMutableBufferPointer { im in
                    window.withUnsafeBufferPointer { w in
                        reversed.withUnsafeBufferPointer { order in
                            for index in 0..<size { re[order[index]] = Double(input[start + index]) * w[index] }
                        }
                    }
                    cosines.withUnsafeBufferPointer { c in
                        sines.withUnsafeBufferPointer { s in
                            var length = 2
                            while length <= size {
                                let half = length / 2
                                let stride = size / length
                                var base = 0
                                while base < size {
                                    for k in 0..<half {
                                        let wr = c[k * stride]
                                        let wi = s[k * stride]
                                        let a = base + k
                                        let b = a + half
                                        let tr = re[b] * wr - im[b] * wi
                                        let ti = re[b] * wi + im[b] * wr
                                        re[b] = re[a] - tr
                                        im[b] = im[a] - ti
                                        re[a] += tr
                                        im[a] += ti
                                    }
                                    base += length
                                }
                                length <<= 1
                            }
                        }
                    }
                    spectrum.withUnsafeMutableBufferPointer { out in
                        for bin in 0..<(size / 2) { out[bin] = re[bin] * re[bin] + im[bin] * im[bin] }
                    }
                }
            }
        }
        return spectrum
    }
}

@Suite struct ChordChangeTests {
    private let rate = PadRender.rate
    private let size = 8192
    /// How far under the window's loudest peak a peak still counts, in dB.
    private let floorDecibels = 40.0

    /// Across every step change: each short window's spectral peaks lie on notes of the key, and
    /// where the chord changes, the old chord's partials fall and the new one's rise over 6-10 s.
    @Test(arguments: ["quick-reset", "sore-arches"])
    func chordChangesCrossfadeInTheKey(routine: String) throws {
        let measured = measure(try PadRender(routine: routine))
        let text = measured.spans.map { String(format: "%.2f", $0) }.joined(separator: " ")
        #expect(
            measured.worstCents <= 20, "a peak lies \(measured.worstCents) cents off the key at \(measured.worstPlace)")
        #expect(measured.spans.count >= 3, "only \(measured.spans.count) chord changes measured")
        #expect(measured.spans.allSatisfy { (6...10).contains($0) }, "the chord changes take \(text) s")
        print(
            "\(routine): worst peak \(String(format: "%.2f", measured.worstCents)) cents off the key "
                + "(\(measured.worstPlace)); crossfades \(text) s")
    }

    /// The bed keeps its level through a change: the voices that move crossfade equal in power.
    /// Three 20 s steps (two changes) against one 60 s step (no change) of the same length and
    /// seed, so the breath, the swells and the darkening are the same in both, and the difference
    /// of their loudness is the chords' alone. An equal-gain crossfade would dip 2-3 dB midway.
    @Test func theBedKeepsItsLevelThroughAChange() throws {
        func routine(_ stepCount: Int) -> Routine {
            Routine(
                name: "steps", title: "Steps",
                items: (0..<stepCount).map {
                    .step(
                        RoutineStep(
                            id: "step-\($0)", title: "Step",
                            duration: SessionDuration(seconds: 60 / Double(stepCount))))
                })
        }
        let changing = try PadRender(routine: routine(3), masterGainDecibels: -10)
        let steady = try PadRender(routine: routine(1), masterGainDecibels: -10)
        /// Momentary (400 ms) loudness by libebur128 every 100 ms.
        func momentary(_ samples: [Float]) throws -> [Double] {
            let meter = try LoudnessMeter(channelCount: 1, sampleRate: rate, measuresTruePeak: false)
            var values: [Double] = []
            for block in 0..<(samples.count / (rate / 10)) {
                meter.add(Array(samples[(block * rate / 10)..<((block + 1) * rate / 10)]))
                values.append(meter.momentaryLoudnessLUFS)
            }
            return values
        }
        let difference = zip(try momentary(changing.mid), try momentary(steady.mid)).map { $0 - $1 }
        /// The difference at `seconds` (the end of the 400 ms window).
        func at(_ seconds: Double) -> Double { difference[Int((seconds * 10).rounded())] }
        for change in [20.0, 40.0] {
            let before = at(change - 0.5)
            let after = at(change + ToneBed.chordCrossfadeDuration + 1)
            let through = stride(from: change, through: change + ToneBed.chordCrossfadeDuration + 0.5, by: 0.1).map(at)
            let low = through.min()!, high = through.max()!
            #expect(
                low >= min(before, after) - 0.5 && high <= max(before, after) + 0.5,
                "through the change at \(change) s the bed moves \(low)...\(high) dB against one chord (\(before) dB before, \(after) dB after)"
            )
            print(
                String(
                    format: "change at %.0f s: %.2f...%.2f dB against one chord through it, %.2f before, %.2f after",
                    change, low, high, before, after))
        }
    }

    /// The worst distance of a spectral peak from the key around every step change, and how long
    /// each chord change lasts.
    private func measure(_ render: PadRender) -> (worstCents: Double, worstPlace: String, spans: [Double]) {
        let key = render.timeline.bed.keySemitonesAboveC
        let analysis = ShortTimeSpectrum(size: size)
        let hop = size / 4
        let binHertz = Double(rate) / Double(size)
        func peaks(at start: Int) -> [(hertz: Double, decibels: Double)] {
            spectralPeaks(
                analysis.power(of: render.mid, from: start), sampleRate: rate, size: size,
                rangeDecibels: floorDecibels)
        }
        var worstCents = 0.0
        var worstPlace = ""
        var spans: [Double] = []
        for step in render.timeline.steps.dropFirst() {
            let boundary = Int(step.startFrame)
            // Every window from 2 s before the change to 12 s after it: the pitches stay in the key.
            var levels: [(seconds: Double, spectrum: [Double])] = []
            var start = boundary - 2 * rate
            while start + size <= min(boundary + 12 * rate, render.mid.count) {
                let spectrum = analysis.power(of: render.mid, from: start)
                let seconds = Double(start + size / 2 - boundary) / Double(rate)
                for peak in spectralPeaks(spectrum, sampleRate: rate, size: size, rangeDecibels: floorDecibels) {
                    let cents = centsFromKey(peak.hertz, keySemitonesAboveC: key)
                    if cents > worstCents {
                        worstCents = cents
                        worstPlace =
                            String(format: "%.1f Hz, %+.2f s from the start of ", peak.hertz, seconds) + step.id
                    }
                }
                levels.append((seconds, spectrum))
                start += hop
            }
            // The partials of the old chord that the new one lacks, and the new chord's own.
            let before = peaks(at: boundary - size)
            let after = peaks(at: boundary + 11 * rate)
            func cents(_ a: Double, _ b: Double) -> Double { abs(1200 * log2(a / b)) }
            let outgoing = before.filter { old in after.allSatisfy { cents($0.hertz, old.hertz) > 30 } }
            let incoming = after.filter { new in before.allSatisfy { cents($0.hertz, new.hertz) > 30 } }
            // Only partials standing clear of every other (8 bins), so that no neighbour leaks into their bin.
            let all = before + after
            func isClear(_ hertz: Double) -> Bool {
                all.allSatisfy { $0.hertz == hertz || abs($0.hertz - hertz) > 8 * binHertz }
            }
            let fallers = outgoing.filter { isClear($0.hertz) }
            let risers = incoming.filter { isClear($0.hertz) }
            guard !fallers.isEmpty && !risers.isEmpty else { continue }
            /// The level of a partial in each window against `reference`, in dB.
            func track(_ hertz: Double, reference: [Double]) -> [Double] {
                let bin = Int((hertz / binHertz).rounded())
                let base = ((bin - 1)...(bin + 1)).map { reference[$0] }.max()!
                return levels.map { window in
                    10 * log10(((bin - 1)...(bin + 1)).map { window.spectrum[$0] }.max()! / base)
                }
            }
            let referenceBefore = analysis.power(of: render.mid, from: boundary - size)
            let referenceAfter = analysis.power(of: render.mid, from: boundary + 11 * rate)
            // The crossfade runs from the first window where a new partial is heard (within 40 dB
            // of its level after) to the last where an old one still is.
            var firstRise = Double.infinity
            var lastFall = -Double.infinity
            for riser in risers {
                let track = track(riser.hertz, reference: referenceAfter)
                if let index = track.firstIndex(where: { $0 > -40 }) {
                    firstRise = min(firstRise, levels[index].seconds)
                }
            }
            for faller in fallers {
                let track = track(faller.hertz, reference: referenceBefore)
                if let index = track.lastIndex(where: { $0 > -40 }) { lastFall = max(lastFall, levels[index].seconds) }
            }
            spans.append(lastFall - firstRise)
        }
        return (worstCents, worstPlace, spans)
    }
}
