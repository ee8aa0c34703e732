import ArgumentParser

@main
struct Soothe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soothe",
        abstract: "Audio-guided self-massage: a calm voice, soft chimes and a breathing bed of tones.",
        discussion: """
            Self-massage is not medical advice. Skip broken skin, numbness or a recent injury, and ask \
            a clinician first if you have neuropathy or diabetes.
            """,
        version: "0.1.0",
        subcommands: [
            Play.self, ExportCommand.self, Show.self, Routines.self, Voices.self, Init.self, Devices.self,
        ],
        defaultSubcommand: Play.self
    )
}
