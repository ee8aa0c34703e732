import ArgumentParser
import Speech

struct Voices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the voices that can speak the prompts: flite's and espeak-ng's.")

    func run() throws {
        print(VoiceCatalog.listText())
    }
}
