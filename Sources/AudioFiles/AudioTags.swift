/// The text tags of an audio file. Empty strings are left out of a file written.
public struct AudioTags: Equatable, Sendable {
    public var title: String
    public var artist: String
    public var comment: String
    public var software: String
    /// The date, as `YYYY-MM-DD`.
    public var date: String

    public init(title: String = "", artist: String = "", comment: String = "", software: String = "", date: String = "")
    {
        self.title = title
        self.artist = artist
        self.comment = comment
        self.software = software
        self.date = date
    }

    /// One of the tags, by name.
    public enum Field: String, CaseIterable, Sendable {
        case title, artist, comment, software, date
    }

    /// The text of one tag.
    public subscript(field: Field) -> String {
        get {
            switch field {
            case .title: title
            case .artist: artist
            case .comment: comment
            case .software: software
            case .date: date
            }
        }
        set {
            switch field {
            case .title: title = newValue
            case .artist: artist = newValue
            case .comment: comment = newValue
            case .software: software = newValue
            case .date: date = newValue
            }
        }
    }
}
