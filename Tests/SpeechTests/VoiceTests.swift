import Testing

@testable import Speech

struct VoiceTests {
    @Test(arguments: [
        ("slt", Voice(engine: .flite, name: "slt")), ("KAL", Voice(engine: .flite, name: "kal")),
        ("flite:awb", Voice(engine: .flite, name: "awb")),
        ("espeak:en-gb+f3", Voice(engine: .espeak, name: "en-gb+f3")),
        ("espeak:de", Voice(engine: .espeak, name: "de")),
    ])
    func parses(text: String, voice: Voice) throws {
        #expect(try Voice(parsing: text) == voice)
        #expect(try Voice(parsing: voice.description) == voice)
    }

    @Test(arguments: ["bob", "", "espeak:", "espeak:en gb", "flite:xyz"])
    func anUnknownVoiceListsTheVoices(text: String) throws {
        let error = #expect(throws: SpeechError.self) { try Voice(parsing: text) }
        #expect(error?.kind == .unknownVoice)
        let message = error?.message ?? ""
        #expect(message.contains("there is no voice '\(text)'"))
        for name in ["slt", "rms", "awb", "kal", "espeak:NAME", "piper:NAME", ".onnx file", "soothe voices"] {
            #expect(message.contains(name), "\(message)")
        }
    }

    @Test(arguments: [79.0, 301, .nan, 0])
    func aRateOutOfRangeIsRefused(rate: Double) throws {
        let error = #expect(throws: SpeechError.self) {
            try PromptSynthesizer(speechRatePerMinute: rate, cache: nil)
        }
        #expect(error?.kind == .invalidRate)
        #expect(error?.message.contains("choose from 80 to 300") == true)
    }
}
