/// What an attachment is, as far as the portal cares.
public enum MediaKind: Sendable, Hashable {
    case photo, audio, video
}

/// The outcome of sniffing: the kind and the content type to store and serve it with.
public struct SniffedMedia: Sendable, Equatable {
    public let kind: MediaKind
    /// A MIME type such as `image/jpeg`.
    public let contentType: String

    public init(kind: MediaKind, contentType: String) {
        self.kind = kind
        self.contentType = contentType
    }
}

/// Decides an upload's type from its first bytes alone: never from the file name or the
/// client's declared content type, both of which the client controls. Anything that is not
/// a recognised photo, audio or video format (PDF, executables, HTML, archives, text) gives
/// nil and should be refused.
///
/// Pass at least the first 64 bytes of the upload (more is fine; at most 512 are read).
/// A match only means the header looks right: decoders must still treat the content as
/// hostile.
public enum MediaSniffer {
    /// How many leading bytes `sniff` looks at.
    public static let prefixLength = 512

    public static func sniff(_ bytes: some Collection<UInt8>) -> SniffedMedia? {
        let b = Array(bytes.prefix(prefixLength))
        guard b.count >= 4 else { return nil }

        // Photos.
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return .init(kind: .photo, contentType: "image/jpeg") }
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return .init(kind: .photo, contentType: "image/png")
        }
        if b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) {
            return .init(kind: .photo, contentType: "image/gif")
        }
        if let form = riffForm(b) {
            switch form {
            case "WEBP": return .init(kind: .photo, contentType: "image/webp")
            case "WAVE": return .init(kind: .audio, contentType: "audio/wav")
            default: return nil   // AVI and other RIFF forms are not accepted
            }
        }
        if let media = isoBaseMedia(b) { return media }

        // Audio.
        if b.starts(with: Array("#!AMR-WB\n".utf8)) { return .init(kind: .audio, contentType: "audio/amr-wb") }
        if b.starts(with: Array("#!AMR\n".utf8)) { return .init(kind: .audio, contentType: "audio/amr") }
        if b.starts(with: Array("OggS".utf8)) {
            // Ogg carries Vorbis/Opus audio or Theora video; the first page names the codec.
            let theora: [UInt8] = [0x80] + Array("theora".utf8)
            return contains(b, theora)
                ? .init(kind: .video, contentType: "video/ogg")
                : .init(kind: .audio, contentType: "audio/ogg")
        }
        if b.starts(with: Array("ID3".utf8)) { return .init(kind: .audio, contentType: "audio/mpeg") }
        if b.count >= 3, b[0] == 0xFF, b[1] & 0xE0 == 0xE0 {
            let layer = (b[1] >> 1) & 0x03
            if layer == 0 {
                // ADTS: 12-bit sync (FFF), layer 00; sampling-frequency index 0...12.
                if b[1] & 0xF0 == 0xF0 && (b[2] >> 2) & 0x0F <= 12 {
                    return .init(kind: .audio, contentType: "audio/aac")
                }
            } else {
                // MPEG audio frame: version not reserved, bitrate index not 1111,
                // sample-rate index not 11.
                let version = (b[1] >> 3) & 0x03
                if version != 1 && b[2] >> 4 != 0x0F && (b[2] >> 2) & 0x03 != 0x03 {
                    return .init(kind: .audio, contentType: "audio/mpeg")
                }
            }
            return nil
        }

        // Matroska / WebM (EBML header).
        if b.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) {
            return contains(b, Array("webm".utf8))
                ? .init(kind: .video, contentType: "video/webm")
                : .init(kind: .video, contentType: "video/x-matroska")
        }
        return nil
    }

    /// The form type of a RIFF file (`WEBP`, `WAVE`, …).
    private static func riffForm(_ b: [UInt8]) -> String? {
        guard b.count >= 12, b.starts(with: Array("RIFF".utf8)) else { return nil }
        return String(decoding: b[8..<12], as: UTF8.self)
    }

    /// ISO base media files (MP4, M4A, 3GP, MOV, HEIC) begin with an `ftyp` box: size,
    /// "ftyp", major brand, minor version, compatible brands. The major brand decides, except
    /// that generic HEIF (`mif1`/`msf1`) defers to a specific photo brand (`heic`, `avif`)
    /// among the compatible ones; an unknown major brand falls back to the first known
    /// compatible brand.
    private static func isoBaseMedia(_ b: [UInt8]) -> SniffedMedia? {
        guard b.count >= 12, Array(b[4..<8]) == Array("ftyp".utf8) else { return nil }
        let boxSize = Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
        guard boxSize >= 12, boxSize % 4 == 0 else { return nil }
        var compatible: [String] = []
        var offset = 16
        while offset + 4 <= min(boxSize, b.count) {
            compatible.append(String(decoding: b[offset..<offset + 4], as: UTF8.self))
            offset += 4
        }
        let major = String(decoding: b[8..<12], as: UTF8.self)
        if major == "mif1" || major == "msf1" {
            // Generic HEIF: the compatible brands say whether it is HEVC (HEIC) or AV1 (AVIF).
            for candidate in compatible where candidate != "mif1" && candidate != "msf1" {
                if let media = brand(candidate), media.kind == .photo { return media }
            }
        }
        if let media = brand(major) { return media }
        for candidate in compatible {
            if let media = brand(candidate) { return media }
        }
        return nil
    }

    private static func brand(_ brand: String) -> SniffedMedia? {
        switch brand {
        case "heic", "heix", "heim", "heis", "hevc", "hevx":
            return .init(kind: .photo, contentType: "image/heic")
        case "avif", "avis":
            return .init(kind: .photo, contentType: "image/avif")
        case "mif1", "msf1":
            return .init(kind: .photo, contentType: "image/heif")
        case "M4A ", "M4B ":
            return .init(kind: .audio, contentType: "audio/mp4")
        case "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash", "MSNV", "M4V ":
            return .init(kind: .video, contentType: "video/mp4")
        case "qt  ":
            return .init(kind: .video, contentType: "video/quicktime")
        default:
            if brand.hasPrefix("3gp") || brand.hasPrefix("3ge") || brand.hasPrefix("3gs") {
                return .init(kind: .video, contentType: "video/3gpp")
            }
            if brand.hasPrefix("3g2") { return .init(kind: .video, contentType: "video/3gpp2") }
            return nil
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}
