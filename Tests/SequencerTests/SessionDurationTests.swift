import Testing

@testable import Sequencer

struct SessionDurationTests {
    @Test(arguments: [
        ("90", 90.0), ("90s", 90), ("1m30s", 90), ("1.5m", 90), ("2m", 120), ("1:30", 90), ("01:30", 90),
        ("1:02:03", 3723), ("1h", 3600), ("1h30m", 5400), ("1h2m3s", 3723), (" 45s ", 45), ("0.5", 0.5),
        ("2M", 120), ("1:30.5", 90.5), ("24h", 86400), ("12m", 720),
    ])
    func parsesEveryWrittenForm(text: String, seconds: Double) throws {
        #expect(try SessionDuration(parsing: text).seconds == seconds)
    }

    @Test(arguments: [
        ("", DurationError.Problem.empty), ("   ", .empty), ("abc", .malformed), ("1x", .malformed),
        ("m", .malformed), ("1m30", .malformed), ("30s1m", .malformed), ("1m1m", .malformed), ("1..5m", .malformed),
        (".5m", .malformed), ("1:3", .malformed), ("1:60", .malformed), ("1:2:3:4", .malformed), (":30", .malformed),
        ("1,5m", .malformed), ("0", .notPositive), ("0s", .notPositive), ("0:00", .notPositive),
        ("-5s", .notPositive), ("-1:30", .notPositive), ("25h", .tooLong), ("1441m", .tooLong),
        ("99999999999999999999", .tooLong),
    ])
    func refusesMalformedZeroNegativeAndAbsurd(text: String, problem: DurationError.Problem) {
        #expect(throws: DurationError(text: text, problem: problem)) { try SessionDuration(parsing: text) }
    }

    @Test func malformedMessageListsTheValidForms() {
        let error = DurationError(text: "soon", problem: .malformed)
        #expect(error.description.contains("'soon'"))
        #expect(error.description.contains("90, 90s, 1m30s, 1.5m, 2m or 1:30"))
    }

    @Test(arguments: [(45.0, "0:45"), (90, "1:30"), (720, "12:00"), (3723, "1:02:03"), (56.47, "0:56.5")])
    func describesForPeople(seconds: Double, text: String) {
        #expect(SessionDuration(seconds: seconds).description == text)
    }

    @Test(arguments: [44100, 48000, 96000])
    func framesRoundToTheNearestFrame(sampleRate: Int) {
        let duration = SessionDuration(microseconds: 1)
        #expect(duration.frames(atSampleRate: sampleRate) == 0)
        #expect(SessionDuration(seconds: 1.5).frames(atSampleRate: sampleRate) == Int64(sampleRate * 3 / 2))
        // 10.5 µs at 48 kHz is 0.504 frames: it rounds up, not down.
        #expect(SessionDuration(microseconds: 11).frames(atSampleRate: 48000) == 1)
    }
}
