import ArgumentParser

@main
struct Soothe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soothe",
        abstract: "Audio-guided self-massage: a calm voice, soft chimes and a breathing bed of tones.",
        discussion: """
            Self-massage is not medical advice. Skip broken skin, numbness or a recent injury, and ask
            a clinician first if you have neuropathy or diabetes.
            """,
        version: "0.1.0",
        subcommands: [Show.self, Routines.self, Init.self, ExportCommand.self],
        defaultSubcommand: Show.self
    )
}
