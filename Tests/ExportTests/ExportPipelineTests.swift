import Synthesis
import Testing

@testable import Export

/// The export's wait for what a source prepares on other threads.
struct ExportPipelineTests {
    /// A source whose preparation never ends: the wait gives up as soon as the export stops
    /// (a termination signal or a failed write) instead of holding the export forever.
    @Test func waitingForPreparationEndsWhenTheExportStops() {
        let source = NeverPreparedSource()
        var checks = 0
        let isPrepared = AudioExporter.waitForPreparation(of: source, frameCount: 512) {
            checks += 1
            return checks > 3
        }
        #expect(!isPrepared)
        #expect(checks == 4)
        #expect(source.position == 0)
    }
}

/// A source that waits forever for something made elsewhere.
private final class NeverPreparedSource: AudioFrameSource {
    let channelCount = 2
    let sampleRate = 48000
    let totalFrames: Int64 = 48000
    let position: Int64 = 0
    var preparedEndFrame: Int64 { 0 }

    func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int { 0 }
}
