import Foundation
import Testing

@testable import Sequencer

/// A routine is read from a regular file; devices and pipes are refused at once, never read.
struct RoutineFileKindTests {
    @Test(arguments: ["/dev/null", "/dev/zero"])
    func devicesAreRefused(path: String) throws {
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(path) }
        #expect(error.kind == .unreadableFile)
        #expect(
            error.description
                == "\(path): is not a regular file (a device, pipe or socket); a routine is a YAML or JSON file")
    }

    @Test func aPipeIsRefusedWithoutWaitingForAWriter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("pipe.yaml")
        try #require(mkfifo(path, 0o600) == 0)
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(path) }
        #expect(error.message.contains("is not a regular file"))
    }

    @Test func aLinkToARoutineFileIsFollowed() throws {
        let directory = try TemporaryDirectory()
        let target = directory.path("real.yaml")
        try "title: Real\nsteps:\n  - {id: a, title: A, duration: 1m}\n".write(
            toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory.path("link.yaml"), withDestinationPath: target)
        #expect(try RoutineLibrary.load(directory.path("link.yaml")).title == "Real")
    }
}
