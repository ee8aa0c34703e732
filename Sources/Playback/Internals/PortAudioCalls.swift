// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CAudioQuiet
internal import CPortAudio

// Every call into PortAudio and ALSA in one place; each thin function is named after the C
// function it wraps and speaks in Swift types only.

/// An opaque PortAudio stream handle.
typealias PortAudioStreamHandle = UnsafeMutableRawPointer

/// The PortAudio result that means success.
let portAudioNoError: Int32 = Int32(paNoError.rawValue)
/// What `Pa_WriteStream` returns when the device ran dry before the write; the data is still
/// played, so it is not fatal.
let portAudioOutputUnderflowed: Int32 = Int32(paOutputUnderflowed.rawValue)

/// What PortAudio says about one device.
struct PortAudioDeviceInfo {
    var name: String
    var hostAPIName: String
    var maxOutputChannels: Int
    var maxInputChannels: Int
    var defaultSampleRate: Double
    var defaultHighOutputLatencySeconds: Double
    var defaultHighInputLatencySeconds: Double
}

/// `system_Pa_Initialize` wraps `Pa_Initialize`.
func system_Pa_Initialize() -> Int32 {
    Pa_Initialize()
}

/// Wraps `Pa_Terminate`.
func system_Pa_Terminate() {
    _ = Pa_Terminate()
}

/// Wraps `Pa_GetErrorText`.
func system_Pa_GetErrorText(_ code: Int32) -> String {
    guard let text = Pa_GetErrorText(code) else { return "PortAudio error \(code)" }
    return String(cString: text)
}

/// Wraps `Pa_GetDeviceCount`; negative on error.
func system_Pa_GetDeviceCount() -> Int32 {
    Pa_GetDeviceCount()
}

/// Wraps `Pa_GetDefaultOutputDevice`; `nil` for `paNoDevice`.
func system_Pa_GetDefaultOutputDevice() -> Int32? {
    let index = Pa_GetDefaultOutputDevice()
    return index == paNoDevice ? nil : index
}

/// Wraps `Pa_GetDeviceInfo` and `Pa_GetHostApiInfo` for the device's host API.
func system_Pa_GetDeviceInfo(_ index: Int32) -> PortAudioDeviceInfo? {
    guard let info = Pa_GetDeviceInfo(index)?.pointee else { return nil }
    let hostAPIName = Pa_GetHostApiInfo(info.hostApi).flatMap { $0.pointee.name.map { String(cString: $0) } } ?? "?"
    return PortAudioDeviceInfo(
        name: info.name.map { String(cString: $0) } ?? "device \(index)", hostAPIName: hostAPIName,
        maxOutputChannels: Int(info.maxOutputChannels), maxInputChannels: Int(info.maxInputChannels),
        defaultSampleRate: info.defaultSampleRate, defaultHighOutputLatencySeconds: info.defaultHighOutputLatency,
        defaultHighInputLatencySeconds: info.defaultHighInputLatency)
}

/// Wraps `Pa_GetDefaultInputDevice`; `nil` for `paNoDevice`.
func system_Pa_GetDefaultInputDevice() -> Int32? {
    let index = Pa_GetDefaultInputDevice()
    return index == paNoDevice ? nil : index
}

/// The callback of an input stream: it hands each buffer to the stream's `CaptureRing` and does
/// nothing else. PortAudio calls it on its audio thread, where a late return loses sound, so it
/// allocates nothing, takes no lock and makes no system call.
private func captureCallback(
    _ input: UnsafeRawPointer?, _ output: UnsafeMutableRawPointer?, _ frameCount: UInt,
    _ timeInfo: UnsafePointer<PaStreamCallbackTimeInfo>?, _ statusFlags: PaStreamCallbackFlags,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let userData else { return Int32(paAbort.rawValue) }
    let ring = Unmanaged<CaptureRing>.fromOpaque(userData).takeUnretainedValue()
    if statusFlags & PaStreamCallbackFlags(paInputOverflow) != 0 { ring.noteOverflow() }
    if let input {
        ring.write(input.assumingMemoryBound(to: Float.self), frameCount: Int(frameCount))
    }
    return Int32(paContinue.rawValue)
}

/// Wraps `Pa_OpenStream` for a float32 interleaved input stream whose callback copies every buffer
/// into `ring`. The ring must outlive the stream.
func system_Pa_OpenInputStream(
    _ stream: inout PortAudioStreamHandle?, device: Int32, channelCount: Int, sampleRate: Double,
    suggestedLatencySeconds: Double, ring: CaptureRing
) -> Int32 {
    var parameters = PaStreamParameters(
        device: device, channelCount: Int32(channelCount), sampleFormat: paFloat32,
        suggestedLatency: suggestedLatencySeconds, hostApiSpecificStreamInfo: nil)
    return Pa_OpenStream(
        &stream, &parameters, nil, sampleRate, UInt(paFramesPerBufferUnspecified), paNoFlag, captureCallback,
        Unmanaged.passUnretained(ring).toOpaque())
}

/// Wraps `Pa_OpenStream` for a blocking (callback-less) float32 interleaved output stream, with
/// PortAudio's dither off so that float samples reach a float device unchanged.
func system_Pa_OpenStream(
    _ stream: inout PortAudioStreamHandle?, device: Int32, channelCount: Int, sampleRate: Double,
    suggestedLatencySeconds: Double
) -> Int32 {
    var parameters = PaStreamParameters(
        device: device, channelCount: Int32(channelCount), sampleFormat: paFloat32,
        suggestedLatency: suggestedLatencySeconds, hostApiSpecificStreamInfo: nil)
    return Pa_OpenStream(
        &stream, nil, &parameters, sampleRate, UInt(paFramesPerBufferUnspecified), paDitherOff, nil, nil)
}

/// Wraps `Pa_StartStream`.
func system_Pa_StartStream(_ stream: PortAudioStreamHandle) -> Int32 {
    Pa_StartStream(stream)
}

/// Wraps `Pa_WriteStream`: blocks until the frames are queued on the device.
func system_Pa_WriteStream(_ stream: PortAudioStreamHandle, _ buffer: UnsafePointer<Float>, frameCount: Int) -> Int32 {
    Pa_WriteStream(stream, buffer, UInt(frameCount))
}

/// Wraps `Pa_StopStream`: returns once what was written has played.
func system_Pa_StopStream(_ stream: PortAudioStreamHandle) -> Int32 {
    Pa_StopStream(stream)
}

/// Wraps `Pa_AbortStream`: stops at once, dropping what is queued.
func system_Pa_AbortStream(_ stream: PortAudioStreamHandle) -> Int32 {
    Pa_AbortStream(stream)
}

/// Wraps `Pa_CloseStream`.
func system_Pa_CloseStream(_ stream: PortAudioStreamHandle) -> Int32 {
    Pa_CloseStream(stream)
}

/// Wraps `Pa_GetStreamInfo` for the input latency PortAudio settled on.
func system_Pa_GetStreamInputLatency(_ stream: PortAudioStreamHandle) -> Double {
    Pa_GetStreamInfo(stream)?.pointee.inputLatency ?? 0
}

/// Wraps `Pa_GetStreamInfo` for the output latency PortAudio settled on.
func system_Pa_GetStreamOutputLatency(_ stream: PortAudioStreamHandle) -> Double {
    Pa_GetStreamInfo(stream)?.pointee.outputLatency ?? 0
}

/// Wraps `snd_lib_error_set_handler` (through a few lines of C, since ALSA's handler is variadic):
/// `true` drops ALSA's library messages, `false` lets ALSA print them.
func system_snd_lib_error_set_quiet(_ isQuiet: Bool) {
    soothe_alsa_set_quiet(isQuiet ? 1 : 0)
}
