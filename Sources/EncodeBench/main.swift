// Encodes prerendered audio with libsndfile and nothing else: the baseline `Scripts/bench`
// compares `soothe export` with. The input is decoded into memory before the clock starts, and
// the same writer (same settings, dither and checks) encodes it on one thread.
//
//     EncodeBench INPUT OUTPUT FORMAT [--vbr]
//
// FORMAT is one of wav16, wav24, wavFloat, flac16, flac24, oggVorbis, opus, mp3. Prints the
// encoding time in seconds and the realtime factor.
import AudioFiles
import Export
import Glibc

func printError(_ text: String) {
    _ = text.withCString { write(2, $0, strlen($0)) }
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let format = AudioFileFormat(rawValue: arguments[3]) else {
    let formats = AudioFileFormat.allCases.map(\.rawValue).joined(separator: ", ")
    printError("usage: EncodeBench INPUT OUTPUT FORMAT [--vbr]   (FORMAT: \(formats))\n")
    exit(64)
}
do {
    let input = try AudioFileReader.read(arguments[1])
    var options = ExportOptions(format: format)
    if arguments.contains("--vbr") { options.mp3Bitrate = .defaultVariable }
    let descriptor = open(arguments[2], O_RDWR | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
        printError("EncodeBench: cannot create \(arguments[2])\n")
        exit(73)
    }
    var start = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    var writer = try SoundFileWriter(
        fileDescriptor: descriptor, displayPath: arguments[2], sampleRate: input.sampleRate,
        channelCount: input.channelCount, options: options)
    let blockSamples = options.blockFrameCount * input.channelCount
    try input.samples.withUnsafeBufferPointer { samples throws(ExportError) in
        var offset = 0
        while offset < samples.count {
            let count = min(blockSamples, samples.count - offset)
            try writer.write(samples.baseAddress! + offset, frameCount: count / input.channelCount)
            offset += count
        }
    }
    try writer.close()
    close(descriptor)
    var end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &end)
    let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    let audioSeconds = Double(input.samples.count / input.channelCount) / Double(input.sampleRate)
    print("encode \(format.rawValue): \(seconds) s for \(audioSeconds) s of audio, \(audioSeconds / seconds)x realtime")
} catch {
    printError("EncodeBench: \(error)\n")
    exit(1)
}
