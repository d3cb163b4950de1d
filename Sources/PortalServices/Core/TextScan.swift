/// One pass over a free-text field's UTF-8 bytes: what `PortalValidation.text` checks.
struct TextScan {
    /// Whether the text holds a control character (general category Cc) other than tab, line
    /// feed and carriage return. Cc is exactly U+0000–U+001F and U+007F–U+009F, a set
    /// Unicode's stability policy fixes for good, so the bytes tell: a byte below 0x20 or
    /// 0x7F, or the lead byte 0xC2 followed by 0x80–0x9F. (Looking up each scalar's general
    /// category was 12 % of a FileComplaint's server instructions.)
    private(set) var hasControlCharacter = false
    /// The length in characters (grapheme clusters) of an ASCII text: one per byte, except
    /// that CR LF is one. Nil when the text has other characters (count them as `String`
    /// does); counting Characters of an ASCII text cost ~10 instructions a byte.
    private(set) var asciiCharacterCount: Int?

    init(_ text: String) {
        var previous: UInt8 = 0, ascii = true, bytes = 0, crlf = 0
        for byte in text.utf8 {
            bytes += 1
            if byte < 0x20 {
                if byte == 0x0A {
                    if previous == 0x0D { crlf += 1 }
                } else if byte != 0x09 && byte != 0x0D {
                    hasControlCharacter = true
                }
            } else if byte >= 0x7F {
                if byte == 0x7F || (previous == 0xC2 && byte < 0xA0) { hasControlCharacter = true }
                if byte >= 0x80 { ascii = false }
            }
            previous = byte
        }
        asciiCharacterCount = ascii ? bytes - crlf : nil
    }
}
