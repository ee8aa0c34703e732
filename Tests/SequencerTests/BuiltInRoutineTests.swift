import Foundation
import Testing

@testable import Sequencer

struct BuiltInRoutineTests {
    @Test func theFourRoutinesShip() {
        #expect(RoutineLibrary.builtInNames == ["bedtime-foot", "legs-and-feet", "quick-reset", "sore-arches"])
        #expect(RoutineLibrary.builtInNames.contains(RoutineLibrary.defaultRoutineName))
    }

    @Test(arguments: RoutineLibrary.builtInNames)
    func everyBuiltInParsesAndLaysOut(name: String) throws {
        let routine = try RoutineLibrary.builtIn(named: name)
        #expect(routine.name == name)
        #expect(!routine.description.isEmpty)
        let timeline = try SessionTimeline(routine: routine)
        #expect(timeline.steps.allSatisfy { $0.say != nil && !$0.title.isEmpty })
        #expect(timeline.steps.allSatisfy { $0.duration >= SessionTimeline.minimumStepDuration })
    }

    @Test(arguments: [("bedtime-foot", 11.0...13.0), ("quick-reset", 4.0...6.0), ("legs-and-feet", 18.0...23.0)])
    func lengthsAreAsAdvertised(name: String, minutes: ClosedRange<Double>) throws {
        let timeline = try SessionTimeline(routine: try RoutineLibrary.builtIn(named: name))
        #expect(minutes.contains(timeline.totalDuration.seconds / 60))
    }

    @Test func bedtimeFootHasTheSharedStepsAndABothFeetBlock() throws {
        let routine = try RoutineLibrary.builtIn(named: "bedtime-foot")
        let shared = routine.items.compactMap { item -> String? in
            if case .step(let step) = item { return step.id }
            return nil
        }
        #expect(shared == ["settle", "oil", "rest"])
        let block = try #require(
            routine.items.compactMap { item -> SideBlock? in
                if case .eachSide(let block) = item { return block }
                return nil
            }.first)
        #expect(block.sides == [.right, .left])
        #expect(Set(["warm-up", "thumb-circles", "arch", "toes"]).isSubset(of: Set(block.steps.map(\.id))))
    }

    /// The binary carries the files under Audio/routines as they are: editing one and not the other
    /// is impossible, because the build embeds them.
    @Test(arguments: RoutineLibrary.builtInNames)
    func embeddedTextIsTheShippedFile(name: String) throws {
        let audioDirectory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Audio/routines")
        let shipped = try String(contentsOf: audioDirectory.appending(path: "\(name).yaml"), encoding: .utf8)
        #expect(try RoutineLibrary.builtInSource(named: name) == shipped)
    }
}
