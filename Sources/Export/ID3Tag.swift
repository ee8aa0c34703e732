import AudioFiles

/// The ID3v2.4 tag at the start of an MP3, with every text frame in UTF-8.
///
/// libsndfile passes MP3 tags to LAME through `id3tag_set_title` and its kin, which take
/// ISO-8859-1: UTF-8 text went into frames marked Latin-1, and any title beyond ASCII came out
/// garbled. LAME itself writes at best UTF-16 ID3v2.3 frames, and libsndfile does not expose its
/// LAME handle. So the writer gives libsndfile no tags for MP3 and puts this tag in front of what
/// libsndfile writes (through its virtual I/O, which sees the file start after the tag). ID3v2.4
/// is the version that allows UTF-8 (encoding byte 3); mpg123, and so libsndfile, reads it back.
enum ID3Tag {
    /// The whole tag: the 10-byte header and one frame per non-empty tag. Empty when there is
    /// nothing to say.
    static func bytes(for tags: AudioTags) -> [UInt8] {
        var frames: [UInt8] = []
        frames += textFrame("TIT2", tags.title)
        frames += textFrame("TPE1", tags.artist)
        frames += commentFrame(tags.comment)
        frames += textFrame("TDRC", tags.date)
        frames += textFrame("TSSE", tags.software)
        guard !frames.isEmpty else { return [] }
        // "ID3", version 2.4.0, no flags, then the size of what follows the header.
        return Array("ID3".utf8) + [4, 0, 0] + synchsafe(frames.count) + frames
    }

    /// The largest size a synchsafe integer holds: 28 bits.
    static let maximumSize = (1 << 28) - 1

    /// A text information frame (`TIT2`, `TPE1` …): encoding 3 (UTF-8), then the text.
    private static func textFrame(_ id: String, _ text: String) -> [UInt8] {
        guard !text.isEmpty else { return [] }
        return frame(id, [3] + Array(text.utf8))
    }

    /// A comment frame: encoding 3 (UTF-8), the language, an empty description, then the text.
    private static func commentFrame(_ text: String) -> [UInt8] {
        guard !text.isEmpty else { return [] }
        return frame("COMM", [3] + Array("eng".utf8) + [0] + Array(text.utf8))
    }

    /// A frame: its id, its synchsafe size, two bytes of flags (none), and its content. A frame too
    /// large for the format is left out rather than written wrong.
    private static func frame(_ id: String, _ content: [UInt8]) -> [UInt8] {
        guard content.count <= maximumSize / 8 else { return [] }
        return Array(id.utf8) + synchsafe(content.count) + [0, 0] + content
    }

    /// A size as ID3v2.4 stores it: four bytes of seven bits each, most significant first, so that
    /// no byte of it can look like the start of an MPEG frame.
    private static func synchsafe(_ value: Int) -> [UInt8] {
        [21, 14, 7, 0].map { UInt8((value >> $0) & 0x7F) }
    }
}
