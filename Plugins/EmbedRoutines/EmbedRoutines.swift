import Foundation
import PackagePlugin

/// Embeds every `Audio/routines/*.yaml` file into the target as a generated Swift source file.
@main
struct EmbedRoutines: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let routinesDirectory = context.package.directoryURL
            .appending(path: "Audio", directoryHint: .isDirectory)
            .appending(path: "routines", directoryHint: .isDirectory)
        let routineFiles = try FileManager.default
            .contentsOfDirectory(at: routinesDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let outputFile = context.pluginWorkDirectoryURL.appending(path: "EmbeddedRoutines.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(routineFiles.count) built-in routines",
                executable: try context.tool(named: "EmbedRoutinesTool").url,
                arguments: [outputFile.path] + routineFiles.map(\.path),
                inputFiles: routineFiles,
                outputFiles: [outputFile]
            )
        ]
    }
}
