import AudioFiles
import Foundation
import Testing

struct ResamplerTests {
    @Test(arguments: [(16000, 44100), (16000, 48000), (22050, 48000), (8000, 44100), (48000, 16000)])
    func lengthFollowsTheRatio(rates: (Int, Int)) throws {
        let (inputRate, outputRate) = rates
        let input = (0..<inputRate).map { Float(sin(2 * Double.pi * 440 * Double($0) / Double(inputRate))) * 0.5 }
        let output = try Resampler.resample(input, from: inputRate, to: outputRate)
        let expected = Double(input.count) * Double(outputRate) / Double(inputRate)
        #expect(abs(Double(output.count) - expected) <= 2, "\(output.count) vs \(expected)")
        // A 440 Hz tone passes unchanged in level: RMS of a 0.5 sine is 0.354.
        let middle = Array(output[output.count / 4..<output.count * 3 / 4])
        #expect(abs(rootMeanSquare(middle) - 0.3536) < 0.005)
    }
}

func rootMeanSquare(_ samples: [Float]) -> Double {
    guard !samples.isEmpty else { return 0 }
    return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
}
