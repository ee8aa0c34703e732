import Sequencer
import Termination

extension StandardOutput {
    /// Prints as `Swift.print` does, with every control character but the line breaks escaped
    /// (names from the file system reach here).
    static func print(_ text: String, terminator: String = "\n") {
        write(text.escapingControlCharactersByLine, terminator: terminator)
    }
}
