// Writes a Swift file that holds the text of each routine file given on the command line.
// Usage: EmbedRoutinesTool OUTPUT.swift ROUTINE.yaml...
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedRoutinesTool OUTPUT.swift ROUTINE.yaml...\n".utf8))
    exit(64)
}

var source = """
    // Generated from Audio/routines by the EmbedRoutines plugin. Do not edit.

    /// The shipped routine files as (file name without extension, YAML text), in file name order.
    let embeddedRoutineFiles: [(name: String, yaml: String)] = [

    """
for path in arguments.dropFirst() {
    let url = URL(fileURLWithPath: path)
    let text = try String(contentsOf: url, encoding: .utf8)
    // A raw string delimiter long enough that the file's own text cannot close it.
    var delimiter = "#"
    while text.contains("\"" + delimiter) { delimiter += "#" }
    let name = url.deletingPathExtension().lastPathComponent
    source += "    (\(String(reflecting: name)), \(delimiter)\"\"\"\n\(text)\n\"\"\"\(delimiter)),\n"
}
source += "]\n"
try source.write(toFile: outputPath, atomically: true, encoding: .utf8)
