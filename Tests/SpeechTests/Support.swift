import Foundation
import Sequencer

@testable import Speech

/// A fresh cache directory per test, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-speech-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

func rootMeanSquare(_ samples: [Float]) -> Double {
    guard !samples.isEmpty else { return 0 }
    return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
}

/// A short routine: three steps of `stepSeconds` each, so tests synthesise little.
func makeShortRoutine(stepSeconds: Double = 20, say: String = "Rub the sole slowly.") -> Routine {
    let duration = SessionDuration(seconds: stepSeconds)
    return Routine(
        name: "short", title: "Short",
        items: [
            .step(RoutineStep(id: "settle", title: "Settle", duration: duration, say: "Sit back and breathe.")),
            .step(RoutineStep(id: "rub", title: "Rub", duration: duration, say: say)),
            .step(RoutineStep(id: "rest", title: "Rest", duration: SessionDuration(seconds: 30), say: "Rest now.")),
        ])
}

/// Collects warnings from a cache, from any thread.
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func append(_ message: String) {
        lock.lock()
        stored.append(message)
        lock.unlock()
    }

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
