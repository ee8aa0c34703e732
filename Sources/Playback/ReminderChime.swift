import Foundation

/// The soft chime a waiting `hold` step repeats: a small struck bowl in the bed's key, quiet, made
/// once before playing so that mixing it only adds samples.
struct ReminderChime {
    /// The chime's peak level, well under the session so it nudges rather than startles.
    static let peakDecibels = -30.0
    static let durationSeconds = 2.5
    static let attackSeconds = 0.015
    /// Partials of a bowl: frequency ratio, relative level, decay time to -60 dB in seconds.
    static let partials: [(ratio: Double, level: Double, decaySeconds: Double)] = [
        (1.0, 1.0, 2.4), (2.76, 0.35, 1.2), (5.40, 0.12, 0.6),
    ]

    let frameCount: Int
    private let channelCount: Int
    /// Mono samples; every channel gets the same.
    private let samples: [Float]

    init(key: String, sampleRate: Int, channelCount: Int) {
        self.channelCount = channelCount
        frameCount = Int(Self.durationSeconds * Double(sampleRate))
        let fundamentalHertz = Self.fundamentalHertz(key: key)
        let peak = pow(10, Self.peakDecibels / 20)
        let attackFrames = Self.attackSeconds * Double(sampleRate)
        var samples = [Float](repeating: 0, count: frameCount)
        for frame in 0..<frameCount {
            let time = Double(frame) / Double(sampleRate)
            var value = 0.0
            for partial in Self.partials where partial.ratio * fundamentalHertz < Double(sampleRate) / 2 {
                let decay = exp(-6.9 * time / partial.decaySeconds)
                value += partial.level * decay * sin(2 * Double.pi * partial.ratio * fundamentalHertz * time)
            }
            let attack = Double(frame) < attackFrames ? 0.5 - 0.5 * cos(Double.pi * Double(frame) / attackFrames) : 1
            // The last 50 ms close to exactly zero so the table ends without a step.
            let remaining = Double(frameCount - frame) / Double(sampleRate)
            let release = min(1, remaining / 0.05)
            samples[frame] = Float(peak * attack * release * value / 1.47)
        }
        self.samples = samples
    }

    /// The chime's fundamental: the bed's key in the octave above middle C.
    static func fundamentalHertz(key: String) -> Double {
        let semitones = [
            "C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6, "G": 7,
            "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11,
        ]
        let semitone = semitones[key] ?? 2
        return 523.251 * pow(2, Double(semitone) / 12)
    }

    /// Adds the chime from `offset` into `buffer` for up to `frameCount` frames; returns how many
    /// frames of the chime it used.
    func mix(into buffer: UnsafeMutablePointer<Float>, frameCount: Int, from offset: Int) -> Int {
        let count = min(frameCount, self.frameCount - offset)
        guard count > 0 else { return 0 }
        samples.withUnsafeBufferPointer { chime in
            for frame in 0..<count {
                let sample = chime[offset + frame]
                for channel in 0..<channelCount {
                    buffer[frame * channelCount + channel] += sample
                }
            }
        }
        return count
    }
}
