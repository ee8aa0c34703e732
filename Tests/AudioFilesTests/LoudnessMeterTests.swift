import AudioFiles
import Foundation
import Testing

@Suite struct LoudnessMeterTests {
    @Test func measuresAKnownSine() throws {
        // A 997 Hz sine of amplitude 0.1 in both channels is -20 LUFS by the standard's definition.
        let rate = 48000
        let samples = (0..<(rate * 5)).flatMap { index -> [Float] in
            let value = Float(0.1 * sin(2 * .pi * 997 * Double(index) / Double(rate)))
            return [value, value]
        }
        let meter = try LoudnessMeter(channelCount: 2, sampleRate: rate)
        meter.add(samples)
        #expect(abs(meter.integratedLoudnessLUFS - -20) < 0.1, "\(meter.integratedLoudnessLUFS)")
        #expect(abs(meter.samplePeakDecibels - -20) < 0.01, "\(meter.samplePeakDecibels)")
        #expect(abs(meter.truePeakDecibels - -20) < 0.1, "\(meter.truePeakDecibels)")
        #expect(meter.loudnessRangeLU < 1)
        #expect(meter.frameCount == Int64(rate * 5))
    }

    @Test func refusesBadFormats() {
        #expect(throws: AudioFileError.self) { try LoudnessMeter(channelCount: 0, sampleRate: 48000) }
        #expect(throws: AudioFileError.self) { try LoudnessMeter(channelCount: 2, sampleRate: 10) }
    }
}
