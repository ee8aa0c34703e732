import Foundation
import Synthesis

/// A deterministic test signal: a slow sine sweep from 200 Hz to 2 kHz at -6 dBFS, the right
/// channel a quarter period behind the left. Its content is known, so a decoded file can be
/// compared with it sample by sample.
final class SineSweepSource: AudioFrameSource {
    let channelCount: Int
    let sampleRate: Int
    let totalFrames: Int64
    private(set) var position: Int64 = 0
    let amplitude: Float

    init(seconds: Double, sampleRate: Int = 48000, channelCount: Int = 2, amplitude: Float = 0.5) {
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.totalFrames = Int64((seconds * Double(sampleRate)).rounded())
        self.amplitude = amplitude
    }

    /// The sample of `channel` at `frame`, computed directly rather than by accumulation.
    func sample(frame: Int64, channel: Int) -> Float {
        let time = Double(frame) / Double(sampleRate)
        let duration = Double(totalFrames) / Double(sampleRate)
        // Linear sweep: phase = 2π (f0 t + (f1 - f0) t² / (2 T)).
        let phase = 2 * Double.pi * (200 * time + 1800 * time * time / (2 * duration))
        return amplitude * Float(sin(phase - Double(channel) * Double.pi / 2))
    }

    func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        let frames = Int(min(Int64(frameCount), totalFrames - position))
        for index in 0..<max(frames, 0) {
            for channel in 0..<channelCount {
                buffer[index * channelCount + channel] = sample(frame: position + Int64(index), channel: channel)
            }
        }
        position += Int64(max(frames, 0))
        return max(frames, 0)
    }

    /// The whole signal, interleaved.
    func allSamples() -> [Float] {
        (0..<totalFrames).flatMap { frame in (0..<channelCount).map { sample(frame: frame, channel: $0) } }
    }
}
