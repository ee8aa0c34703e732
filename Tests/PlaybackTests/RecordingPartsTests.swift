import Testing

@testable import Playback

/// The keys of `soothe record`, as a terminal or a pipe sends them.
struct TerminalKeyTests {
    @Test(arguments: [
        ("\r", [TerminalKey.enter]), ("\n", [.enter]), ("\r\n", [.enter]), ("\n\n", [.enter, .enter]),
        ("p\r", [.character("p"), .enter]), ("\u{03}", [.interrupt]), ("\u{1B}[A", [.up]),
    ])
    func bytesBecomeKeys(text: String, keys: [TerminalKey]) {
        var decoder = KeyDecoder()
        #expect(decoder.keys(Array(text.utf8)) == keys)
    }

    @Test func aCarriageReturnAndItsLineFeedInTwoReadsAreOneEnter() {
        var decoder = KeyDecoder()
        #expect(decoder.keys([0x0D]) == [.enter])
        #expect(decoder.keys([0x0A]) == [])
        #expect(decoder.keys([0x0A]) == [.enter])
    }
}

/// The hand-over from the input callback to the thread that keeps the take.
struct CaptureRingTests {
    @Test func samplesComeOutInOrderAcrossTheWrapAndTheLevelIsTheirPeak() {
        let ring = CaptureRing(sampleRate: 1000)
        #expect(ring.capacity == 4000)
        var take: [Float] = []
        var next: Float = 0
        // Ten writes of 900 go round the ring twice; each is drained before the next.
        for _ in 0..<10 {
            let block = (0..<900).map { Float($0) + next }
            next += 900
            block.withUnsafeBufferPointer { ring.write($0.baseAddress!, frameCount: 900) }
            ring.drain(into: &take)
        }
        #expect(take == (0..<9000).map(Float.init))
        #expect(ring.takePeak() == 8999)
        #expect(ring.takePeak() == 0)
        #expect(!ring.hasLostInput)
    }

    @Test func whatDoesNotFitIsCountedAsLost() {
        let ring = CaptureRing(sampleRate: 1000)
        let block = [Float](repeating: 0.5, count: 3000)
        block.withUnsafeBufferPointer { ring.write($0.baseAddress!, frameCount: 3000) }
        block.withUnsafeBufferPointer { ring.write($0.baseAddress!, frameCount: 3000) }
        var take: [Float] = []
        ring.drain(into: &take)
        #expect(take.count == 4000)
        #expect(ring.hasLostInput)
    }
}

/// Input devices are chosen as output devices are.
struct InputDeviceChoiceTests {
    static let devices = [
        InputDevice(
            index: 0, name: "hw:0,0", hostAPIName: "ALSA", maxInputChannels: 2, defaultHighInputLatency: 0.1,
            isDefault: false),
        InputDevice(
            index: 3, name: "USB Microphone", hostAPIName: "ALSA", maxInputChannels: 1, defaultHighInputLatency: 0.1,
            isDefault: true),
        InputDevice(
            index: 5, name: "pulse", hostAPIName: "ALSA", maxInputChannels: 32, defaultHighInputLatency: 0.1,
            isDefault: false),
    ]

    @Test func theSoundServerIsPreferredThenAnIndexOrPartOfANameIsMatched() throws {
        #expect(InputDevice.preferred(among: Self.devices)?.index == 5)
        #expect(InputDevice.preferred(among: Array(Self.devices.prefix(2)))?.index == 3)
        #expect(try InputDevice.matching("3", among: Self.devices).name == "USB Microphone")
        #expect(try InputDevice.matching("usb", among: Self.devices).index == 3)
        #expect {
            try InputDevice.matching("webcam", among: Self.devices)
        } throws: { error in
            "\(error)".contains("there is no input device 'webcam'") && "\(error)".contains("3  USB Microphone (ALSA)")
        }
    }
}
