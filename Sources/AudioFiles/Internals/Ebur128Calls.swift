// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CEbur128

// Every call into libebur128 in the module is here, one thin function per C function, so that a
// reader finds every place the C library is touched at once.

/// The opaque measurement state libebur128 hands out.
typealias Ebur128State = UnsafeMutablePointer<ebur128_state>

/// The modes `LoudnessMeter` always asks for: integrated loudness and sample peak.
let ebur128MeterMode = Int32(EBUR128_MODE_I.rawValue | EBUR128_MODE_SAMPLE_PEAK.rawValue)

/// The mode `LoudnessMeter` adds for the loudness range.
let ebur128LoudnessRangeMode = Int32(EBUR128_MODE_LRA.rawValue)

/// The mode `LoudnessMeter` adds for true peak.
let ebur128TruePeakMode = Int32(EBUR128_MODE_TRUE_PEAK.rawValue)

let ebur128Success = Int32(EBUR128_SUCCESS.rawValue)

/// `ebur128_init_meter` wraps `ebur128_init`.
func ebur128_init_meter(channelCount: Int, sampleRate: Int, mode: Int32) -> Ebur128State? {
    ebur128_init(UInt32(channelCount), UInt(sampleRate), mode)
}

/// `ebur128_destroy_meter` wraps `ebur128_destroy`.
func ebur128_destroy_meter(_ state: Ebur128State) {
    var pointer: Ebur128State? = state
    ebur128_destroy(&pointer)
}

/// `ebur128_add_float` wraps `ebur128_add_frames_float`.
func ebur128_add_float(_ state: Ebur128State, _ samples: UnsafePointer<Float>, frameCount: Int) -> Int32 {
    ebur128_add_frames_float(state, samples, frameCount)
}

/// `ebur128_global` wraps `ebur128_loudness_global`.
func ebur128_global(_ state: Ebur128State) -> (status: Int32, value: Double) {
    var value = 0.0
    let status = ebur128_loudness_global(state, &value)
    return (status, value)
}

/// `ebur128_range` wraps `ebur128_loudness_range`.
func ebur128_range(_ state: Ebur128State) -> (status: Int32, value: Double) {
    var value = 0.0
    let status = ebur128_loudness_range(state, &value)
    return (status, value)
}

/// `ebur128_sample_peak_of` wraps `ebur128_sample_peak`.
func ebur128_sample_peak_of(_ state: Ebur128State, channel: Int) -> (status: Int32, value: Double) {
    var value = 0.0
    let status = ebur128_sample_peak(state, UInt32(channel), &value)
    return (status, value)
}

/// `ebur128_true_peak_of` wraps `ebur128_true_peak`.
func ebur128_true_peak_of(_ state: Ebur128State, channel: Int) -> (status: Int32, value: Double) {
    var value = 0.0
    let status = ebur128_true_peak(state, UInt32(channel), &value)
    return (status, value)
}

/// `ebur128_momentary` wraps `ebur128_loudness_momentary`: the last 400 ms.
func ebur128_momentary(_ state: Ebur128State) -> (status: Int32, value: Double) {
    var value = 0.0
    let status = ebur128_loudness_momentary(state, &value)
    return (status, value)
}

/// `ebur128_shortterm` wraps `ebur128_loudness_shortterm`: the last 3 s.
func ebur128_shortterm(_ state: Ebur128State) -> (status: Int32, value: Double) {
    var value = 0.0
    let status = ebur128_loudness_shortterm(state, &value)
    return (status, value)
}
