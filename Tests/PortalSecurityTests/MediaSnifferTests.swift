import Testing
import PortalSecurity

@Suite struct MediaSnifferTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// An ISO base media `ftyp` box with the given brands, then an `mdat` header.
    static func ftyp(_ major: String, _ compatible: [String]) -> [UInt8] {
        let size = 16 + 4 * compatible.count
        var box: [UInt8] = [0, 0, 0, UInt8(size)] + bytes("ftyp") + bytes(major) + [0, 0, 0, 0]
        for brand in compatible { box += bytes(brand) }
        return box + [0, 0, 0, 8] + bytes("mdat")
    }

    /// Real header bytes of each accepted format (first bytes as written by common encoders).
    static let accepted: [(String, [UInt8], MediaKind, String)] = [
        ("JPEG/JFIF", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + bytes("JFIF") + [0, 1, 1, 0], .photo, "image/jpeg"),
        ("JPEG/Exif", [0xFF, 0xD8, 0xFF, 0xE1, 0x2F, 0xFE] + bytes("Exif") + [0, 0], .photo, "image/jpeg"),
        ("PNG", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] + bytes("IHDR"), .photo, "image/png"),
        ("GIF89a", bytes("GIF89a") + [0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00], .photo, "image/gif"),
        ("GIF87a", bytes("GIF87a") + [0x01, 0x00, 0x01, 0x00], .photo, "image/gif"),
        ("WebP", bytes("RIFF") + [0x24, 0x00, 0x00, 0x00] + bytes("WEBPVP8 "), .photo, "image/webp"),
        ("HEIC (iPhone)", ftyp("heic", ["mif1", "heic"]), .photo, "image/heic"),
        ("HEIC heix", ftyp("heix", ["mif1", "heix"]), .photo, "image/heic"),
        ("HEIF mif1+heic", ftyp("mif1", ["mif1", "miaf", "heic"]), .photo, "image/heic"),
        ("HEIF mif1 only", ftyp("mif1", ["mif1", "miaf"]), .photo, "image/heif"),
        ("MP3 with ID3", bytes("ID3") + [0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x23], .audio, "audio/mpeg"),
        ("MP3 frame", [0xFF, 0xFB, 0x90, 0x64, 0x00, 0x00], .audio, "audio/mpeg"),
        ("MP3 MPEG-2", [0xFF, 0xF3, 0x84, 0xC4, 0x00, 0x00], .audio, "audio/mpeg"),
        ("AAC ADTS", [0xFF, 0xF1, 0x50, 0x80, 0x2E, 0x7F, 0xFC], .audio, "audio/aac"),
        ("AAC ADTS MPEG-2", [0xFF, 0xF9, 0x4C, 0x80, 0x2E, 0x7F, 0xFC], .audio, "audio/aac"),
        ("M4A", ftyp("M4A ", ["M4A ", "mp42", "isom"]), .audio, "audio/mp4"),
        ("Ogg Opus", bytes("OggS") + [0x00, 0x02] + [UInt8](repeating: 0, count: 20) + bytes("OpusHead"), .audio, "audio/ogg"),
        ("WAV", bytes("RIFF") + [0x24, 0x08, 0x00, 0x00] + bytes("WAVEfmt "), .audio, "audio/wav"),
        ("AMR", bytes("#!AMR\n") + [0x3C, 0x48, 0xF5], .audio, "audio/amr"),
        ("AMR-WB", bytes("#!AMR-WB\n") + [0x2C, 0x00], .audio, "audio/amr-wb"),
        ("MP4 isom", ftyp("isom", ["isom", "iso2", "avc1", "mp41"]), .video, "video/mp4"),
        ("MP4 mp42 (Android)", ftyp("mp42", ["isom", "mp42"]), .video, "video/mp4"),
        ("MP4 mp41", ftyp("mp41", ["mp41"]), .video, "video/mp4"),
        ("3GP 3gp4", ftyp("3gp4", ["isom", "3gp4"]), .video, "video/3gpp"),
        ("3GP 3gp5", ftyp("3gp5", ["3gp5", "isom"]), .video, "video/3gpp"),
        ("MOV", ftyp("qt  ", ["qt  "]), .video, "video/quicktime"),
        ("unknown major, known compatible", ftyp("XAVC", ["XAVC", "mp42", "iso2"]), .video, "video/mp4"),
        ("WebM", [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84] + bytes("webm"), .video, "video/webm"),
        ("Matroska", [0x1A, 0x45, 0xDF, 0xA3, 0xA3, 0x42, 0x82, 0x88] + bytes("matroska"), .video, "video/x-matroska"),
    ]

    @Test func acceptsEachFormat() {
        for (name, header, kind, contentType) in Self.accepted {
            let sniffed = MediaSniffer.sniff(header + [UInt8](repeating: 0x55, count: 100))
            #expect(sniffed == SniffedMedia(kind: kind, contentType: contentType), "\(name)")
        }
    }

    @Test func acceptsAnyCollectionAndLongInput() {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDB] + [UInt8](repeating: 0, count: 1_000_000)
        #expect(MediaSniffer.sniff(jpeg[...])?.contentType == "image/jpeg")
        #expect(MediaSniffer.sniff(jpeg.lazy.map { $0 })?.kind == .photo)
    }

    static let rejected: [(String, [UInt8])] = [
        ("PDF", bytes("%PDF-1.7\n%\u{e2}\u{e3}\u{cf}\u{d3}\n")),
        ("ELF", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00] + [UInt8](repeating: 0, count: 8)),
        ("HTML", bytes("<!DOCTYPE html><html><body>hi</body></html>")),
        ("script", bytes("<script>alert(1)</script>")),
        ("plain text", bytes("Please fix the water supply in our street.")),
        ("ZIP", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]),
        ("DOCX is a ZIP", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
        ("gzip", [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0]),
        ("Windows PE", bytes("MZ") + [0x90, 0x00, 0x03, 0x00]),
        ("shell script", bytes("#!/bin/sh\nrm -rf /\n")),
        ("SVG (can carry script)", bytes("<svg xmlns=\"http://www.w3.org/2000/svg\">")),
        ("AVI (RIFF, not accepted)", bytes("RIFF") + [0, 0, 0, 0] + bytes("AVI LIST")),
        ("ftyp with unknown brands", ftyp("abcd", ["efgh"])),
        ("ftyp with a bad size", [0, 0, 0, 3] + bytes("ftypisom") + [0, 0, 0, 0]),
        ("MPEG frame with invalid bitrate", [0xFF, 0xFB, 0xF0, 0x00]),
        ("too short JPEG-ish", [0xFF, 0xD8]),
        ("empty", []),
        ("zeros", [UInt8](repeating: 0, count: 64)),
    ]

    @Test func rejectsEverythingElse() {
        for (name, header) in Self.rejected {
            #expect(MediaSniffer.sniff(header) == nil, "\(name)")
        }
    }
}
