import Foundation
import Testing

@testable import Reports
@testable import Sequencer

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The SVG picture of a timeline, parsed back and measured against the timeline it draws.
struct TimelinePictureTests {
    /// Every element of an SVG document with its attributes and text, in document order.
    final class ParsedSVG: NSObject, XMLParserDelegate {
        struct Element {
            var name: String
            var attributes: [String: String]
            var text = ""

            var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }
            func number(_ name: String) -> Double? { attributes[name].flatMap(Double.init) }
        }

        var elements: [Element] = []
        private var open: [Int] = []

        init(_ text: String) throws {
            super.init()
            let parser = XMLParser(data: Data(text.utf8))
            parser.delegate = self
            guard parser.parse() else {
                throw ParseFailure(description: parser.parserError.map { "\($0)" } ?? "unknown XML error")
            }
        }

        struct ParseFailure: Error, CustomStringConvertible { var description: String }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            open.append(elements.count)
            elements.append(Element(name: elementName, attributes: attributes))
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            // Text belongs to every open element, so a <text>'s lines are found in it as well.
            for index in open { elements[index].text += string }
        }

        func withClass(_ name: String) -> [Element] { elements.filter { $0.classes.contains(name) } }
    }

    private func picture(
        _ timeline: SessionTimeline, windows: [PromptWindow] = [], trailing: TrailingBlock? = nil
    ) throws -> (TimelinePicture, ParsedSVG) {
        let picture = TimelinePicture(timeline: timeline, promptWindows: windows, trailingBlock: trailing)
        return (picture, try ParsedSVG(picture.svgText))
    }

    /// The axis as drawn: where it starts and how wide it is, read from the SVG itself.
    private func axis(_ svg: ParsedSVG) throws -> (left: Double, width: Double) {
        let line = try #require(svg.withClass("axis").first)
        let left = try #require(line.number("x1"))
        let right = try #require(line.number("x2"))
        return (left, right - left)
    }

    static func routine(stepCount: Int, name: String = "many") -> Routine {
        let lengths = [10.0, 15, 30, 45, 60, 90, 120, 180]
        return Routine(
            name: name, title: "A routine of \(stepCount)",
            items: (0..<stepCount).map { index in
                .step(
                    RoutineStep(
                        id: "step-\(index)", title: "Step number \(index) of \(stepCount)",
                        duration: SessionDuration(seconds: lengths[(index * 5) % lengths.count])))
            })
    }

    @Test(arguments: RoutineLibrary.builtInNames)
    func blocksSitWhereTheTimelineSaysWithinAPixel(name: String) throws {
        let timeline = try SessionTimeline(routine: try RoutineLibrary.builtIn(named: name))
        let (picture, svg) = try picture(timeline)
        let (left, width) = try axis(svg)
        #expect(abs(left - picture.plotLeft) < 1e-9)
        #expect(left >= 0 && left + width <= picture.width && width >= picture.width * 0.8)
        let blocks = svg.withClass("step")
        #expect(blocks.count == timeline.steps.count)
        for (index, (block, step)) in zip(blocks, timeline.steps).enumerated() {
            #expect(block.attributes["data-step"] == String(index))
            let expectedX = left + Double(step.startFrame) / Double(timeline.totalFrames) * width
            let expectedWidth = Double(step.frameCount) / Double(timeline.totalFrames) * width
            #expect(abs(try #require(block.number("x")) - expectedX) < 1, "step \(index)")
            #expect(abs(try #require(block.number("width")) - expectedWidth) < 1, "step \(index)")
            #expect(block.attributes["data-side"] == (step.side?.rawValue ?? "none"))
        }
        let last = try #require(blocks.last)
        #expect(abs(try #require(last.number("x")) + (try #require(last.number("width"))) - (left + width)) < 1)
    }

    @Test func sidesHaveTheirOwnColours() throws {
        let timeline = try SessionTimeline(routine: try RoutineLibrary.builtIn(named: "bedtime-foot"))
        let (_, svg) = try picture(timeline)
        var fills: [String: Set<String>] = [:]
        for block in svg.withClass("step") {
            fills[block.attributes["data-side"] ?? "", default: []].insert(block.attributes["fill"] ?? "")
        }
        #expect(fills.keys.sorted() == ["left", "none", "right"])
        #expect(fills.values.allSatisfy { $0.count == 1 })
        #expect(Set(fills.values.compactMap(\.first)).count == 3)
    }

    @Test func everyCueHasAMarkOfItsKind() throws {
        // bedtime-foot with a halfway bell in its first step, so every kind of cue is in it.
        var routine = try RoutineLibrary.builtIn(named: "bedtime-foot")
        guard case .step(var settle) = routine.items[0] else { throw CancellationError() }
        settle.bells = .at([.share(0.5)])
        routine.items[0] = .step(settle)
        let timeline = try SessionTimeline(routine: routine)
        let (picture, svg) = try picture(timeline)
        let marks = svg.withClass("cue")
        #expect(marks.count == timeline.cues.count)
        #expect(marks.map { $0.attributes["data-kind"] } == timeline.cues.map(\.kind.rawValue))
        let bellMarks = svg.withClass("bell")
        #expect(!timeline.bells.isEmpty)
        #expect(bellMarks.count == timeline.bells.count)
        for (mark, bell) in zip(bellMarks, timeline.bells) {
            #expect(abs((mark.number("cx") ?? 0) - picture.x(forFrame: bell.frame)) < 0.1)
        }
        // Each kind is drawn with its own shape.
        var shapes: [String: Set<String>] = [:]
        for mark in marks + bellMarks {
            var shape = mark.name
            if mark.name == "polygon" { shape += ":\(mark.attributes["points"]?.split(separator: " ").count ?? 0)" }
            if mark.attributes["fill"] == "none" { shape += ":open" }
            shapes[mark.attributes["data-kind"] ?? "", default: []].insert(shape)
        }
        #expect(shapes.count == CueKind.allCases.count)
        #expect(shapes.values.allSatisfy { $0.count == 1 })
        // The side switch's mark sits on its step's first frame.
        let switchMark = try #require(marks.first { $0.attributes["data-kind"] == "side-switch" })
        let switchStep = try #require(timeline.steps.first { $0.isSideSwitch })
        // A diamond's first point is its top, straight above its centre.
        let topPoint = try #require(switchMark.attributes["points"]?.split(separator: " ").first)
        let markX = try #require(topPoint.split(separator: ",").first.flatMap { Double($0) })
        #expect(abs(markX - picture.x(forFrame: switchStep.startFrame)) < 1)
    }

    @Test func promptWindowsSitInsideTheirSteps() throws {
        let timeline = try SessionTimeline(routine: try RoutineLibrary.builtIn(named: "quick-reset"))
        let rate = Int64(timeline.sampleRate)
        let windows = timeline.steps.indices.map { index in
            PromptWindow(stepIndex: index, startFrame: timeline.steps[index].startFrame + rate, frameCount: 5 * rate)
        }
        let (_, svg) = try picture(timeline, windows: windows)
        let (left, width) = try axis(svg)
        let drawn = svg.withClass("prompt")
        #expect(drawn.count == windows.count)
        for (element, window) in zip(drawn, windows) {
            let expectedX = left + Double(window.startFrame) / Double(timeline.totalFrames) * width
            #expect(abs(try #require(element.number("x")) - expectedX) < 1)
            #expect(
                abs(try #require(element.number("width")) - 5 * Double(rate) / Double(timeline.totalFrames) * width) < 1
            )
        }
        // Without speech there is no window and no legend entry for one.
        let (_, silent) = try picture(timeline)
        #expect(silent.withClass("prompt").isEmpty)
        #expect(!silent.elements.contains { $0.text == "spoken prompt" })
    }

    @Test func sixtyStepsStayLegible() throws {
        let timeline = try SessionTimeline(routine: Self.routine(stepCount: 60))
        let (picture, svg) = try picture(timeline)
        let (left, width) = try axis(svg)
        let blocks = svg.withClass("step")
        #expect(blocks.count == 60)
        for (block, step) in zip(blocks, timeline.steps) {
            let expectedX = left + Double(step.startFrame) / Double(timeline.totalFrames) * width
            #expect(abs(try #require(block.number("x")) - expectedX) < 1)
        }
        // Every step is named exactly once, inside its block or below with a leader line.
        let labels = svg.withClass("label")
        #expect(labels.map { $0.attributes["data-step"] ?? "" }.sorted() == (0..<60).map(String.init).sorted())
        for (index, step) in timeline.steps.enumerated() {
            let label = try #require(labels.first { $0.attributes["data-step"] == String(index) })
            #expect(label.text.contains(step.title.split(separator: " ").last ?? ""))
            #expect(label.text.contains(step.duration.description))
        }
        let below = svg.withClass("below")
        #expect(svg.withClass("leader").count == below.count)
        #expect(below.count > 30)
        // Labels turned on their side need a line's height between them, and must stay on the page.
        let positions = try below.map { try #require($0.number("x")) }
        #expect(positions == positions.sorted())
        for (a, b) in zip(positions, positions.dropFirst()) { #expect(b - a >= 12) }
        #expect(positions.allSatisfy { $0 > 0 && $0 < picture.width })
        let height = try #require(svg.elements.first?.number("height"))
        #expect(height < 800)
    }

    @Test func oneStepIsLabelledInsideItsBlock() throws {
        var routine = Self.routine(stepCount: 1)
        routine.items = [
            .step(RoutineStep(id: "only", title: "Rest & <breathe>", duration: SessionDuration(seconds: 90)))
        ]
        let timeline = try SessionTimeline(routine: routine)
        let (picture, svg) = try picture(timeline)
        let block = try #require(svg.withClass("step").first)
        #expect(block.number("x") == picture.plotLeft)
        #expect(abs(try #require(block.number("width")) - picture.plotWidth) < 1e-6)
        let label = try #require(svg.withClass("label").first)
        #expect(label.classes.contains("inside"))
        #expect(label.text.contains("Rest & <breathe>"))
        #expect(label.text.contains("1:30"))
        #expect(svg.withClass("leader").isEmpty)
        #expect(svg.withClass("cue").map { $0.attributes["data-kind"] } == ["session-start", "session-end"])
    }

    @Test func aTrailingBlockExtendsTheAxis() throws {
        let timeline = try SessionTimeline(routine: try RoutineLibrary.builtIn(named: "quick-reset"))
        let tailFrames = Int64(timeline.sampleRate) * 600
        let (_, svg) = try picture(timeline, trailing: TrailingBlock(title: "Sleep tail", frameCount: tailFrames))
        let (left, width) = try axis(svg)
        let total = Double(timeline.totalFrames + tailFrames)
        let tail = try #require(svg.withClass("trailing").first)
        #expect(abs(try #require(tail.number("x")) - (left + Double(timeline.totalFrames) / total * width)) < 1)
        #expect(abs(try #require(tail.number("width")) - Double(tailFrames) / total * width) < 1)
        let lastStep = try #require(svg.withClass("step").last)
        #expect(
            abs(
                try #require(lastStep.number("x")) + (try #require(lastStep.number("width")))
                    - (try #require(tail.number("x")))) < 1)
        #expect(
            svg.withClass("label").contains { $0.attributes["data-trailing"] == "true" && $0.text.contains("10:00") })
    }

    @Test(arguments: [(30.0, 5 as Int64), (90, 10), (720, 60), (1295, 120), (3600, 300), (86400, 7200), (86401, 10800)])
    func axisTicksStayFew(totalSeconds: Double, interval: Int64) {
        #expect(TimelinePicture.tickIntervalSeconds(forTotalSeconds: totalSeconds) == interval)
    }
}
