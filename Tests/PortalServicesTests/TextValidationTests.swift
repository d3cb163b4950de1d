import Testing
@testable import PortalServices

/// Free-text fields (descriptions, remarks, addresses): the control-character check works on
/// UTF-8 bytes; these hold it to Unicode's definition.
@Suite struct TextValidationTests {
    /// Every scalar, alone and between letters: the byte check agrees with the general
    /// category (Cc) for all of them, tab, line feed and carriage return allowed.
    @Test func theByteCheckIsUnicodesControlCategory() {
        var disagreements: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }   // surrogates
            let expected = scalar.properties.generalCategory == .control && !["\t", "\n", "\r"].contains(scalar)
            var alone = "", between = "aé"
            alone.unicodeScalars.append(scalar)
            between.unicodeScalars.append(scalar)
            between += "b"
            if TextScan(alone).hasControlCharacter != expected || TextScan(between).hasControlCharacter != expected {
                disagreements.append(value)
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).map { String($0, radix: 16) })")
    }

    /// An ASCII text is counted from its bytes; the count is `String.count`'s.
    @Test func asciiTextIsCountedAsCharacters() {
        for text in ["", "a", "plain words", "line\r\nbreak", "\r\n\r\n", "\n\r", "cr\r", "tab\there", "del\u{7F}", "\r\r\n\n"] {
            #expect(TextScan(text).asciiCharacterCount == text.count, "\(Array(text.utf8))")
        }
        for text in ["é", "پانی", "e\u{301}", "emoji 🇵🇰"] {
            #expect(TextScan(text).asciiCharacterCount == nil)
        }
    }

    @Test func textIsTrimmedCountedInCharactersAndKeptOtherwise() throws {
        #expect(try PortalValidation.text("  پانی کی فراہمی بند ہے\n", field: "description", min: 10, max: 100) == "پانی کی فراہمی بند ہے")
        let kept = "Line one\n\tLine two\r\nNo\u{A0}break, zero\u{200B}width"
        #expect(try PortalValidation.text(kept, field: "description", min: 10, max: 100) == kept)
        // 5 characters of 2 scalars each (e + combining acute) fit a maximum of 5.
        #expect(try PortalValidation.text(String(repeating: "e\u{301}", count: 5), field: "remark", min: 1, max: 5).count == 5)
        #expect(throws: PortalError.self) { try PortalValidation.text(String(repeating: "e\u{301}", count: 6), field: "remark", min: 1, max: 5) }
        #expect(throws: PortalError.self) { try PortalValidation.text("bell \u{7} in it", field: "remark", min: 1, max: 50) }
        #expect(throws: PortalError.self) { try PortalValidation.text("next line \u{85} in it", field: "remark", min: 1, max: 50) }
        #expect(try PortalValidation.text("   ", field: "address", min: 0, max: 10) == "")
    }
}
