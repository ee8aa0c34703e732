import Foundation
import Playback
import Sequencer

/// A plain, quiet tone for a session: one pitch per step, swelling in and out at the step's edges,
/// with a brighter swell at each step's start as its cue. Every sample is a function of its frame
/// alone, so seeking is exact.
final class ToneSource: SeekableFrameSource {
    static let levelAmplitude: Float = 0.08
    static let cueAmplitude: Float = 0.12
    static let edgeSeconds = 0.05
    static let cueDecaySeconds = 0.4

    let channelCount = 2
    let sampleRate: Int
    let totalFrames: Int64
    private(set) var position: Int64 = 0
    private let starts: [Int64]
    private let ends: [Int64]
    private let frequencies: [Double]
    private var stepIndex = 0

    init(timeline: SessionTimeline) {
        sampleRate = timeline.sampleRate
        totalFrames = timeline.totalFrames
        starts = timeline.steps.map(\.startFrame)
        ends = timeline.steps.map(\.endFrame)
        frequencies = timeline.steps.indices.map { 220 * pow(2, Double([0, 4, 7, 9, 12][$0 % 5]) / 12) }
    }

    func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        let count = Int(min(Int64(frameCount), max(0, totalFrames - position)))
        let rate = Double(sampleRate)
        let edgeFrames = Self.edgeSeconds * rate
        for index in 0..<count {
            let frame = position + Int64(index)
            while stepIndex + 1 < starts.count && frame >= starts[stepIndex + 1] { stepIndex += 1 }
            let intoStep = Double(frame - starts[stepIndex])
            let toEnd = Double(ends[stepIndex] - frame)
            let edge = Float(min(1, intoStep / edgeFrames, toEnd / edgeFrames))
            let cue = Float(exp(-intoStep / (Self.cueDecaySeconds * rate)))
            let phase = 2 * Double.pi * frequencies[stepIndex] * intoStep / rate
            let sample = Float(sin(phase)) * (Self.levelAmplitude + Self.cueAmplitude * cue) * edge
            buffer[2 * index] = sample
            buffer[2 * index + 1] = sample
        }
        position += Int64(count)
        return count
    }

    func seek(toFrame frame: Int64) {
        position = min(max(0, frame), totalFrames)
        stepIndex = 0
        while stepIndex + 1 < starts.count && position >= starts[stepIndex + 1] { stepIndex += 1 }
    }
}
