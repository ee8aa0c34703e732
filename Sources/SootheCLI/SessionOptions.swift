import ArgumentParser
import Sequencer

/// The routine and the customisation of its lengths, shared by every command that plays or shows
/// a session.
struct SessionOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A built-in routine's name or a routine file.", valueName: "routine|file"))
    var routine: String = RoutineLibrary.defaultRoutineName

    @Option(
        name: .customLong("step"),
        help: ArgumentHelp(
            "Set one step's length, for both sides or one (repeatable).", valueName: "id[@side]=duration"),
        transform: { text in try parsingValue { try StepOverride(parsing: text) } })
    var stepOverrides: [StepOverride] = []

    @Option(
        name: .customLong("total"),
        // Taken whatever it looks like, so that `--total -5m` is refused as a duration rather than
        // reported as missing.
        parsing: .unconditional,
        help: ArgumentHelp("Scale the other steps so the steps last exactly this long.", valueName: "duration"),
        transform: { text in try parsingValue { try SessionDuration(parsing: text) } })
    var totalDuration: SessionDuration?

    @Option(
        name: .customLong("sleep-tail"),
        parsing: .unconditional,
        help: ArgumentHelp(
            "After the last step, let the sound slow, darken and fade to silence over this long (off for none).",
            valueName: "duration|off"),
        transform: { text in try parsingValue { try SessionDuration(parsingSleepTail: text) } })
    var sleepTail: SessionDuration?

    /// The rate sessions are laid out, played and exported at unless asked otherwise; play and
    /// export share it so that they render the same samples.
    static let defaultSampleRate = SessionTimeline.defaultSampleRate

    var customization: SessionCustomization {
        SessionCustomization(stepOverrides: stepOverrides, totalDuration: totalDuration, sleepTail: sleepTail)
    }

    /// The routine named on the command line laid out with the user's lengths.
    func makeTimeline(sampleRate: Int = SessionOptions.defaultSampleRate) throws -> SessionTimeline {
        try SessionTimeline(routine: RoutineLibrary.load(routine), customization: customization, sampleRate: sampleRate)
    }
}

/// The value `parse` makes, or its error as the parser's own, so that a bad value exits with 64
/// and the command's usage like any other.
func parsingValue<Value>(_ parse: () throws -> Value) throws -> Value {
    do {
        return try parse()
    } catch let error as ValidationError {
        throw error
    } catch {
        throw ValidationError("\(error)")
    }
}
