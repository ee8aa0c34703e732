public import Sequencer

/// Where a spoken prompt sits in a session, for drawing: the frames it is spoken over.
public struct PromptWindow: Equatable, Sendable {
    /// The index into `SessionTimeline.steps` of the step it belongs to.
    public var stepIndex: Int
    public var startFrame: Int64
    public var frameCount: Int64

    public init(stepIndex: Int, startFrame: Int64, frameCount: Int64) {
        self.stepIndex = stepIndex
        self.startFrame = startFrame
        self.frameCount = frameCount
    }
}

/// A block drawn after the last step, such as a sleep tail where the bed fades to silence.
///
/// The steps end at `SessionTimeline.stepsEndFrame`; whatever plays after them is passed to
/// `TimelinePicture` as a trailing block, so the axis and the scale include it.
public struct TrailingBlock: Equatable, Sendable {
    public var title: String
    public var frameCount: Int64

    public init(title: String, frameCount: Int64) {
        self.title = title
        self.frameCount = frameCount
    }

    /// The block for a timeline's sleep tail, or `nil` when it has none.
    public static func sleepTail(of timeline: SessionTimeline) -> TrailingBlock? {
        timeline.hasSleepTail
            ? TrailingBlock(title: SessionTimeline.sleepTailTitle, frameCount: timeline.sleepTailFrames) : nil
    }
}

/// A session drawn as an SVG picture: the steps as blocks along a time axis, coloured by side and
/// labelled with title and length, a mark for every cue, and the spoken-prompt windows.
///
/// Every block sits at exactly `x(forFrame:)` of its first frame. A label goes inside its block
/// when it fits (wrapped to at most three lines); otherwise it goes below the strip, turned on its
/// side, at the end of a leader line, and the labels below are spread just enough not to overlap.
/// That keeps a one-step session and a sixty-step one equally readable.
public struct TimelinePicture: Sendable {
    public var timeline: SessionTimeline
    public var promptWindows: [PromptWindow]
    /// Drawn after the last step, with its own fill; `nil` for none.
    public var trailingBlock: TrailingBlock?
    /// The width of the picture in pixels.
    public var width: Double

    /// The space on either side of the time axis, in pixels.
    public static let marginWidth = 40.0
    public static let defaultWidth = 1200.0

    public init(
        timeline: SessionTimeline, promptWindows: [PromptWindow] = [], trailingBlock: TrailingBlock? = nil,
        width: Double = defaultWidth
    ) {
        self.timeline = timeline
        self.promptWindows = promptWindows
        self.trailingBlock = trailingBlock
        self.width = max(width, 400)
    }

    /// Where the time axis starts, in pixels from the left.
    public var plotLeft: Double { Self.marginWidth }
    /// How wide the time axis is, in pixels.
    public var plotWidth: Double { width - 2 * Self.marginWidth }
    /// The frames the axis spans: the steps and the trailing block.
    public var axisFrameCount: Int64 { timeline.stepsEndFrame + (trailingBlock?.frameCount ?? 0) }

    /// The horizontal position of `frame` on the axis.
    public func x(forFrame frame: Int64) -> Double {
        plotLeft + Double(frame) / Double(max(axisFrameCount, 1)) * plotWidth
    }

    // MARK: Layout (pixels from the top)

    private static let axisY = 118.0
    private static let cueY = 132.0
    private static let stripTop = 144.0
    private static let stripHeight = 84.0
    private static var stripBottom: Double { stripTop + stripHeight }
    private static let titleFontSize = 12.0
    private static let belowFontSize = 11.0
    private static let titleLineHeight = 14.0
    private static let maximumInsideTitleLines = 3
    /// The least distance between two labels below the strip, centre to centre.
    private static let belowLabelSpacing = 16.0
    /// Where the leader lines end and the labels below start.
    private static var belowLabelTop: Double { stripBottom + 40 }

    /// A rough width of `text` in the picture's sans-serif font, a little generous so labels fit.
    private static func textWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.57
    }

    // MARK: Colours: calm, and told apart by lightness as well as hue

    private static let inkColor = "#2e3a48"
    private static let mutedInkColor = "#5c6b7a"
    private static let axisColor = "#8a97a4"
    private static let promptColor = "#3f5f7f"

    private static func fillColor(for side: Side?) -> String {
        switch side {
        case nil: "#c9d6e3"
        case .right: "#a9d3c0"
        case .left: "#e5c6a6"
        }
    }

    private static func sideName(_ side: Side?) -> String { side?.rawValue ?? "none" }

    // MARK: Drawing

    /// The picture as an SVG document.
    public var svgText: String {
        let labels = placeLabels()
        let belowHeight = labels.lazy.filter { !$0.isInside }.map(\.extent).max() ?? 0
        let height = (belowHeight > 0 ? Self.belowLabelTop + belowHeight : Self.stripBottom) + 24
        var svg = SVGWriter()
        svg.open(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"), ("width", number(width)), ("height", number(height)),
                ("viewBox", "0 0 \(number(width)) \(number(height))"),
                ("font-family", "DejaVu Sans, Verdana, Arial, sans-serif"),
            ])
        svg.element("title", text: "\(timeline.routineTitle) (\(timeline.routineName))")
        svg.open("defs")
        svg.open("linearGradient", [("id", "trailing-fade"), ("x1", "0"), ("x2", "1"), ("y1", "0"), ("y2", "0")])
        svg.element("stop", [("offset", "0"), ("stop-color", Self.fillColor(for: nil))])
        svg.element("stop", [("offset", "1"), ("stop-color", Self.fillColor(for: nil)), ("stop-opacity", "0.1")])
        svg.close("linearGradient")
        svg.close("defs")
        svg.element("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
        drawHeader(into: &svg)
        drawAxis(into: &svg)
        drawSteps(into: &svg)
        drawTrailingBlock(into: &svg)
        drawPromptWindows(into: &svg)
        drawCues(into: &svg)
        drawLabels(labels, into: &svg)
        svg.close("svg")
        return svg.text
    }

    private func drawHeader(into svg: inout SVGWriter) {
        let stepCount = timeline.steps.count
        svg.element(
            "text", [("x", number(plotLeft)), ("y", "34"), ("font-size", "20"), ("fill", Self.inkColor)],
            text: timeline.routineTitle)
        var summary = "\(timeline.routineName) · \(timeline.stepsDuration) · \(stepCount) step"
        if stepCount != 1 { summary += "s" }
        if let trailingBlock {
            summary += " · then \(trailingBlock.title.lowercased()) \(duration(frames: trailingBlock.frameCount))"
        }
        svg.element(
            "text", [("x", number(plotLeft)), ("y", "56"), ("font-size", "13"), ("fill", Self.mutedInkColor)],
            text: summary)

        // The legend: the side colours, the prompt window and the cue marks.
        var x = plotLeft
        let y = 82.0
        func swatch(_ fill: String, _ label: String) {
            svg.element(
                "rect",
                [
                    ("class", "legend"), ("x", number(x)), ("y", number(y - 10)), ("width", "18"), ("height", "12"),
                    ("rx", "2"), ("fill", fill),
                ])
            svg.element(
                "text", [("x", number(x + 24)), ("y", number(y)), ("font-size", "12"), ("fill", Self.inkColor)],
                text: label)
            x += 24 + Self.textWidth(label, fontSize: 12) + 16
        }
        swatch(Self.fillColor(for: nil), "no side")
        swatch(Self.fillColor(for: .right), "right side")
        swatch(Self.fillColor(for: .left), "left side")
        if !promptWindows.isEmpty { swatch(Self.promptColor, "spoken prompt") }
        if trailingBlock != nil { swatch("url(#trailing-fade)", trailingBlock?.title.lowercased() ?? "") }
        x += 8
        for kind in CueKind.allCases {
            drawCueMark(kind, x: x + 5, y: y - 4, className: "legend", into: &svg)
            let label = kind.rawValue.replacing("-", with: " ")
            svg.element(
                "text", [("x", number(x + 18)), ("y", number(y)), ("font-size", "12"), ("fill", Self.inkColor)],
                text: label)
            x += 18 + Self.textWidth(label, fontSize: 12) + 14
        }
    }

    private func drawAxis(into svg: inout SVGWriter) {
        let y = Self.axisY
        svg.element(
            "line",
            [
                ("class", "axis"), ("x1", number(x(forFrame: 0))), ("x2", number(x(forFrame: axisFrameCount))),
                ("y1", number(y)), ("y2", number(y)), ("stroke", Self.axisColor), ("stroke-width", "1"),
            ])
        let rate = Int64(timeline.sampleRate)
        let totalSeconds = Double(axisFrameCount) / Double(rate)
        let tickSeconds = Self.tickIntervalSeconds(forTotalSeconds: totalSeconds)
        var seconds: Int64 = 0
        while Double(seconds) <= totalSeconds + 1e-9 {
            let tickX = x(forFrame: seconds * rate)
            svg.element(
                "line",
                [
                    ("class", "tick"), ("x1", number(tickX)), ("x2", number(tickX)), ("y1", number(y - 5)),
                    ("y2", number(y)), ("stroke", Self.axisColor), ("stroke-width", "1"),
                ])
            svg.element(
                "text",
                [
                    ("x", number(tickX)), ("y", number(y - 9)), ("font-size", "11"), ("text-anchor", "middle"),
                    ("fill", Self.mutedInkColor),
                ], text: SessionDuration(microseconds: seconds * 1_000_000).description)
            seconds += tickSeconds
        }
    }

    /// The interval between axis ticks that gives at most a dozen of them.
    static func tickIntervalSeconds(forTotalSeconds totalSeconds: Double) -> Int64 {
        let intervals: [Int64] = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800]
        return intervals.first { totalSeconds / Double($0) <= 12 } ?? 21600
    }

    private func drawSteps(into svg: inout SVGWriter) {
        for (index, step) in timeline.steps.enumerated() {
            let left = x(forFrame: step.startFrame)
            let right = x(forFrame: step.endFrame)
            var attributes = [
                ("class", "step"), ("data-step", String(index)), ("data-side", Self.sideName(step.side)),
                ("x", number(left)), ("y", number(Self.stripTop)), ("width", number(right - left)),
                ("height", number(Self.stripHeight)), ("fill", Self.fillColor(for: step.side)),
                ("stroke-width", "1"),
            ]
            // The short step between the sides is set apart by a dashed outline.
            attributes +=
                step.isSideSwitch
                ? [("stroke", Self.mutedInkColor), ("stroke-dasharray", "3 2")] : [("stroke", "#ffffff")]
            svg.open("rect", attributes)
            let side = step.side.map { ", \($0.rawValue) side" } ?? ""
            svg.element("title", text: "\(index + 1). \(step.title)\(side): \(step.startTime) + \(step.duration)")
            svg.close("rect")
        }
    }

    private func drawTrailingBlock(into svg: inout SVGWriter) {
        guard trailingBlock != nil else { return }
        let left = x(forFrame: timeline.stepsEndFrame)
        let right = x(forFrame: axisFrameCount)
        svg.element(
            "rect",
            [
                ("class", "trailing"), ("x", number(left)), ("y", number(Self.stripTop)),
                ("width", number(right - left)), ("height", number(Self.stripHeight)),
                ("fill", "url(#trailing-fade)"), ("stroke", "#ffffff"), ("stroke-width", "1"),
            ])
    }

    private func drawPromptWindows(into svg: inout SVGWriter) {
        let y = Self.stripBottom - 14
        for window in promptWindows where timeline.steps.indices.contains(window.stepIndex) {
            let left = x(forFrame: window.startFrame)
            let right = x(forFrame: window.startFrame + window.frameCount)
            svg.element(
                "rect",
                [
                    ("class", "prompt"), ("data-step", String(window.stepIndex)), ("x", number(left)),
                    ("y", number(y)), ("width", number(max(right - left, 0))), ("height", "8"), ("rx", "2"),
                    ("fill", Self.promptColor), ("fill-opacity", "0.75"),
                ])
        }
    }

    private func drawCues(into svg: inout SVGWriter) {
        for cue in timeline.cues {
            drawCueMark(cue.kind, x: x(forFrame: cue.frame), y: Self.cueY, className: "cue", into: &svg)
        }
        let promptSpans = promptWindows.map { $0.startFrame..<($0.startFrame + $0.frameCount) }
        for bell in timeline.ringingBells(avoiding: promptSpans) {
            drawCueMark(bell.kind, x: x(forFrame: bell.frame), y: Self.cueY, className: "bell", into: &svg)
        }
    }

    /// A mark whose shape tells the kind of cue: a triangle for the start, a dot for the next step,
    /// a diamond for the side switch, a downward triangle for the last step and a square for the end.
    private func drawCueMark(_ kind: CueKind, x: Double, y: Double, className: String, into svg: inout SVGWriter) {
        let size = 5.0
        let common = [("class", className), ("data-kind", kind.rawValue), ("fill", Self.inkColor)]
        switch kind {
        case .sessionStart:
            svg.element("polygon", common + [("points", points([(x, y - size), (x + 1.7 * size, y), (x, y + size)]))])
        case .nextStep:
            svg.element("circle", common + [("cx", number(x)), ("cy", number(y)), ("r", number(size * 0.7))])
        case .sideSwitch:
            svg.element(
                "polygon",
                common + [("points", points([(x, y - size), (x + size, y), (x, y + size), (x - size, y)]))])
        case .lastStep:
            svg.element(
                "polygon", common + [("points", points([(x - size, y - size), (x + size, y - size), (x, y + size)]))])
        case .sessionEnd:
            svg.element(
                "rect",
                common + [
                    ("x", number(x - size * 0.8)), ("y", number(y - size * 0.8)), ("width", number(size * 1.6)),
                    ("height", number(size * 1.6)),
                ])
        case .stepBell:
            // Small and open, as the bell is quiet.
            svg.element(
                "circle",
                [("class", className), ("data-kind", kind.rawValue), ("fill", "none"), ("stroke", Self.inkColor)]
                    + [("cx", number(x)), ("cy", number(y)), ("r", number(size * 0.45))])
        }
    }

    // MARK: Labels

    private struct Label {
        var stepIndex: Int?
        /// The centre of the block it names.
        var blockCenter: Double
        var lines: [String]
        var length: String
        var isInside: Bool
        /// For a label below: where its text sits along the axis.
        var position: Double = 0
        /// For a label below: how far its text reaches down from `belowLabelTop`.
        var extent: Double = 0
    }

    private func placeLabels() -> [Label] {
        var labels: [Label] = []
        var blocks: [(stepIndex: Int?, title: String, left: Double, right: Double, length: String)] = timeline.steps
            .enumerated().map { index, step in
                (index, step.title, x(forFrame: step.startFrame), x(forFrame: step.endFrame), step.duration.description)
            }
        if let trailingBlock {
            blocks.append(
                (
                    nil, trailingBlock.title, x(forFrame: timeline.stepsEndFrame), x(forFrame: axisFrameCount),
                    duration(frames: trailingBlock.frameCount).description
                ))
        }
        for block in blocks {
            let room = block.right - block.left - 8
            let lines = Self.wrap(block.title, toWidth: room, fontSize: Self.titleFontSize)
            let fits =
                lines.map { $0.count <= Self.maximumInsideTitleLines } ?? false
                && Self.textWidth(block.length, fontSize: Self.titleFontSize - 1) <= room
            let text = "\(block.title) · \(block.length)"
            labels.append(
                Label(
                    stepIndex: block.stepIndex, blockCenter: (block.left + block.right) / 2,
                    lines: fits ? lines ?? [] : [text], length: block.length, isInside: fits,
                    extent: Double(text.count) * Self.belowFontSize * 0.52))
        }
        // Spread the labels below along the axis: each as near its block as the spacing allows.
        let below = labels.indices.filter { !labels[$0].isInside }
        guard !below.isEmpty else { return labels }
        let low = 12.0
        let high = width - 12
        let spacing = min(Self.belowLabelSpacing, (high - low) / Double(max(below.count - 1, 1)))
        var positions = below.map { min(max(labels[$0].blockCenter, low), high) }
        for i in positions.indices.dropFirst() { positions[i] = max(positions[i], positions[i - 1] + spacing) }
        positions[positions.count - 1] = min(positions[positions.count - 1], high)
        for i in positions.indices.dropLast().reversed() {
            positions[i] = min(positions[i], positions[i + 1] - spacing)
        }
        for (labelIndex, position) in zip(below, positions) { labels[labelIndex].position = position }
        return labels
    }

    /// `text` broken into lines no wider than `width`; `nil` when a single word is wider.
    private static func wrap(_ text: String, toWidth width: Double, fontSize: Double) -> [String]? {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if textWidth(candidate, fontSize: fontSize) <= width {
                line = candidate
            } else {
                guard textWidth(String(word), fontSize: fontSize) <= width else { return nil }
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.filter { !$0.isEmpty }
    }

    private func drawLabels(_ labels: [Label], into svg: inout SVGWriter) {
        for label in labels {
            let stepAttribute = label.stepIndex.map { [("data-step", String($0))] } ?? [("data-trailing", "true")]
            if label.isInside {
                svg.open(
                    "text",
                    [("class", "label inside")] + stepAttribute + [
                        ("x", number(label.blockCenter)), ("text-anchor", "middle"), ("fill", Self.inkColor),
                    ])
                for (lineIndex, line) in label.lines.enumerated() {
                    let y = Self.stripTop + 18 + Double(lineIndex) * Self.titleLineHeight
                    svg.element(
                        "tspan",
                        [
                            ("x", number(label.blockCenter)), ("y", number(y)),
                            ("font-size", number(Self.titleFontSize)),
                        ],
                        text: line)
                }
                let lengthY = Self.stripTop + 18 + Double(label.lines.count) * Self.titleLineHeight + 2
                svg.element(
                    "tspan",
                    [
                        ("x", number(label.blockCenter)), ("y", number(lengthY)),
                        ("font-size", number(Self.titleFontSize - 1)), ("fill", Self.mutedInkColor),
                    ], text: label.length)
                svg.close("text")
            } else {
                let top = Self.stripBottom
                let bend = top + 8
                let end = Self.belowLabelTop - 6
                svg.element(
                    "polyline",
                    [
                        ("class", "leader"),
                        (
                            "points",
                            points([
                                (label.blockCenter, top), (label.blockCenter, bend), (label.position, end - 8),
                                (label.position, end),
                            ])
                        ),
                        ("fill", "none"), ("stroke", Self.axisColor), ("stroke-width", "0.8"),
                    ])
                // Turned a quarter to the left and anchored at its end, the text reads upwards and
                // hangs below the leader; its baseline sits a little right of the leader so the
                // letters are centred on it.
                let baseline = label.position + Self.belowFontSize * 0.35
                svg.element(
                    "text",
                    [("class", "label below")] + stepAttribute + [
                        ("x", number(baseline)), ("y", number(Self.belowLabelTop)),
                        ("font-size", number(Self.belowFontSize)),
                        ("text-anchor", "end"), ("fill", Self.inkColor),
                        ("transform", "rotate(-90 \(number(baseline)) \(number(Self.belowLabelTop)))"),
                    ], text: label.lines.first ?? "")
            }
        }
    }

    // MARK: Numbers and text

    private func duration(frames: Int64) -> SessionDuration {
        SessionDuration(microseconds: frames * 1_000_000 / Int64(timeline.sampleRate))
    }

    private func points(_ list: [(Double, Double)]) -> String {
        list.map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
    }
}

/// A number for SVG: at most two decimals, no exponent, no trailing zeros.
private func number(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let hundredths = Int64((value * 100).rounded())
    let sign = hundredths < 0 ? "-" : ""
    let magnitude = hundredths.magnitude
    let fraction = magnitude % 100
    guard fraction != 0 else { return sign + String(magnitude / 100) }
    let fractionText = fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0" : "") + String(fraction)
    return sign + String(magnitude / 100) + "." + fractionText
}

/// Builds an XML document a line per element, escaping text and attribute values.
private struct SVGWriter {
    var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var depth = 0

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        text += indentation + "<" + name + Self.attributeText(attributes) + ">\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        text += indentation + "</" + name + ">\n"
    }

    mutating func element(_ name: String, _ attributes: [(String, String)] = [], text content: String? = nil) {
        text += indentation + "<" + name + Self.attributeText(attributes)
        if let content {
            text += ">" + Self.escaped(content) + "</" + name + ">\n"
        } else {
            text += "/>\n"
        }
    }

    private var indentation: String { String(repeating: "  ", count: depth) }

    private static func attributeText(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escaped($0.1))\"" }.joined()
    }

    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default:
                // XML 1.0 has no place for most control characters, even escaped.
                if let ascii = character.asciiValue, ascii < 0x20, ascii != 0x09, ascii != 0x0A, ascii != 0x0D {
                    result += " "
                } else {
                    result.append(character)
                }
            }
        }
        return result
    }
}
