import Sequencer
import Termination

extension StandardOutput {
    /// Prints as `Swift.print` does, with every control character but the line breaks escaped
    /// (names from the file system reach here).
    static func print(_ text: String, terminator: String = "\n") {
        write(text.escapingControlCharactersByLine, terminator: terminator)
    }
}

extension String {
    /// The text with its control characters escaped line by line, its line breaks kept.
    var escapingControlCharactersByLine: String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).escapingControlCharacters }
            .joined(separator: "\n")
    }
}
