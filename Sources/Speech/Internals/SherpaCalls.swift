// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CSherpaOnnx
import Foundation

#if canImport(Glibc)
    internal import Glibc
#endif

/// Every call into sherpa-onnx's C API, each a thin function named after the C function it wraps.
///
/// The library is not linked: it is opened with `dlopen` from a list of folders, so that soothe
/// starts and speaks with flite where it is missing, and says why. sherpa-onnx ends the process
/// with `exit()` on model metadata it does not expect, so nothing reaches it that `PiperVoiceFile`
/// has not checked first.
enum SherpaCalls {
    /// The opened library: its functions, looked up once.
    struct Library: @unchecked Sendable {
        fileprivate var getVersionStr: SootheSherpaGetVersionStr
        fileprivate var createOfflineTts: SootheSherpaCreateOfflineTts
        fileprivate var destroyOfflineTts: SootheSherpaDestroyOfflineTts
        fileprivate var offlineTtsSampleRate: SootheSherpaOfflineTtsSampleRate
        fileprivate var generateWithConfig: SootheSherpaOfflineTtsGenerateWithConfig
        fileprivate var destroyGeneratedAudio: SootheSherpaDestroyOfflineTtsGeneratedAudio
        /// Where it was found.
        var path: String
    }

    /// A loaded model, `const SherpaOnnxOfflineTts *`.
    struct Engine: @unchecked Sendable {
        fileprivate var pointer: OpaquePointer
    }

    /// The library's file name; it finds `libonnxruntime.so` beside itself.
    static let libraryFileName = "libsherpa-onnx-c-api.so"

    /// Wraps `dlopen` and `dlsym`: the library from the first of `directories` that holds it, or
    /// why none could be opened.
    static func dlopen(searching directories: [String]) -> Result<Library, SherpaFailure> {
        var reasons: [String] = []
        for directory in directories {
            let path = (directory as NSString).appendingPathComponent(libraryFileName)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let handle = Glibc.dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
                reasons.append(
                    "'\(path)' cannot be loaded: " + (dlerror().map { String(cString: $0) } ?? "unknown error"))
                continue
            }
            func symbol<T>(_ name: String, as type: T.Type) -> T? {
                guard let address = dlsym(handle, name) else { return nil }
                return unsafeBitCast(address, to: type)
            }
            guard let getVersionStr = symbol("SherpaOnnxGetVersionStr", as: SootheSherpaGetVersionStr.self),
                let createOfflineTts = symbol("SherpaOnnxCreateOfflineTts", as: SootheSherpaCreateOfflineTts.self),
                let destroyOfflineTts = symbol("SherpaOnnxDestroyOfflineTts", as: SootheSherpaDestroyOfflineTts.self),
                let offlineTtsSampleRate = symbol(
                    "SherpaOnnxOfflineTtsSampleRate", as: SootheSherpaOfflineTtsSampleRate.self),
                let generateWithConfig = symbol(
                    "SherpaOnnxOfflineTtsGenerateWithConfig", as: SootheSherpaOfflineTtsGenerateWithConfig.self),
                let destroyGeneratedAudio = symbol(
                    "SherpaOnnxDestroyOfflineTtsGeneratedAudio", as: SootheSherpaDestroyOfflineTtsGeneratedAudio.self)
            else {
                reasons.append("'\(path)' lacks the offline speech functions of sherpa-onnx 2 (too old a version?)")
                _ = dlclose(handle)
                continue
            }
            return .success(
                Library(
                    getVersionStr: getVersionStr, createOfflineTts: createOfflineTts,
                    destroyOfflineTts: destroyOfflineTts, offlineTtsSampleRate: offlineTtsSampleRate,
                    generateWithConfig: generateWithConfig, destroyGeneratedAudio: destroyGeneratedAudio, path: path))
        }
        if reasons.isEmpty { reasons.append(notFoundMessage(directories)) }
        return .failure(SherpaFailure(message: reasons.joined(separator: "; ")))
    }

    /// The library's path in the first of `directories` that holds it; nothing is opened.
    static func libraryPath(in directories: [String]) -> String? {
        directories.lazy.map { ($0 as NSString).appendingPathComponent(libraryFileName) }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Why the library was not found in `directories`.
    static func notFoundMessage(_ directories: [String]) -> String {
        "\(libraryFileName) is in none of " + directories.map { "'\($0)'" }.joined(separator: ", ")
    }

    /// Wraps `SherpaOnnxGetVersionStr`.
    static func SherpaOnnxGetVersionStr(_ library: Library) -> String {
        library.getVersionStr().map { String(cString: $0) } ?? "unknown"
    }

    /// Wraps `SherpaOnnxCreateOfflineTts` for a Piper (VITS) model with its tokens file; `nil` when
    /// the library refuses it (it prints why on standard error). `runtimeSettings`, when given, is
    /// a file of ONNX Runtime session settings (`key=value` lines) sherpa-onnx reads from after
    /// the provider's name; it ends the process when the file cannot be opened, so it must exist.
    static func SherpaOnnxCreateOfflineTts(
        _ library: Library, model: String, tokens: String, runtimeSettings: String?, noiseScale: Float,
        noiseScaleW: Float, threadCount: Int
    ) -> Engine? {
        model.withCString { modelPath in
            tokens.withCString { tokensPath in
                ("cpu" + (runtimeSettings.map { ":" + $0 } ?? "")).withCString { provider in
                    "".withCString { empty in
                        var config = SherpaOnnxOfflineTtsConfig()
                        config.model.vits.model = modelPath
                        config.model.vits.tokens = tokensPath
                        config.model.vits.lexicon = empty
                        config.model.vits.data_dir = empty
                        config.model.vits.dict_dir = empty
                        config.model.vits.noise_scale = noiseScale
                        config.model.vits.noise_scale_w = noiseScaleW
                        config.model.vits.length_scale = 1
                        config.model.num_threads = Int32(threadCount)
                        config.model.debug = 0
                        config.model.provider = provider
                        config.rule_fsts = empty
                        config.rule_fars = empty
                        config.max_num_sentences = 1
                        config.silence_scale = 0
                        return library.createOfflineTts(&config).map { Engine(pointer: $0) }
                    }
                }
            }
        }
    }

    /// Wraps `SherpaOnnxDestroyOfflineTts`.
    static func SherpaOnnxDestroyOfflineTts(_ library: Library, _ engine: Engine) {
        library.destroyOfflineTts(engine.pointer)
    }

    /// Wraps `SherpaOnnxOfflineTtsSampleRate`.
    static func SherpaOnnxOfflineTtsSampleRate(_ library: Library, _ engine: Engine) -> Int {
        Int(library.offlineTtsSampleRate(engine.pointer))
    }

    /// Speaks one sentence given as IPA phonemes (Unicode code points, each one the voice's tokens
    /// know) with durations scaled by `lengthScale` (above 1 is slower). Returns mono samples from
    /// -1 to 1 at the model's rate, or `nil` when the library fails.
    ///
    /// Wraps `SherpaOnnxOfflineTtsGenerateWithConfig` and `SherpaOnnxDestroyOfflineTtsGeneratedAudio`.
    static func SherpaOnnxOfflineTtsGenerateWithConfig(
        _ library: Library, _ engine: Engine, phonemes: [Int32], lengthScale: Float, speaker: Int
    ) -> [Float]? {
        guard !phonemes.isEmpty else { return [] }
        var lengths = [Int32(phonemes.count)]
        return phonemes.withUnsafeBufferPointer { codepoints in
            lengths.withUnsafeMutableBufferPointer { lengths in
                "".withCString { empty in
                    var config = SherpaOnnxGenerationConfig()
                    config.silence_scale = 0
                    config.speed = 1 / lengthScale
                    config.sid = Int32(speaker)
                    config.phoneme_codepoints = codepoints.baseAddress
                    config.phoneme_codepoints_lens = UnsafePointer(lengths.baseAddress)
                    config.phoneme_codepoints_num_sentences = 1
                    guard let audio = library.generateWithConfig(engine.pointer, empty, &config, nil, nil) else {
                        return nil
                    }
                    defer { library.destroyGeneratedAudio(audio) }
                    let count = Int(max(0, audio.pointee.n))
                    guard count > 0, let samples = audio.pointee.samples else { return [] }
                    return Array(UnsafeBufferPointer(start: samples, count: count))
                }
            }
        }
    }

    struct SherpaFailure: Error {
        var message: String
    }
}
