import Testing
@testable import PortalWire

/// The JSON runtime's parts on their own: the scanner's strictness, exact integers, base64,
/// the writer's escaping and number forms, and the calendar arithmetic of timestamps.
@Suite struct JSONRuntimeTests {
    func scan(_ text: String) throws(ProtoJSONError) {
        var s = try ProtoJSONScanner(Array(text.utf8), options: .init())
        try s.skipValue()
        try s.finish()
    }

    @Test func scannerAcceptsJSON() throws {
        for text in ["{}", "[]", "0", "-0", "1.5e-3", "1E+2", "\"\"", "true", "false", "null", " [1, {\"a\": [null]}] ",
                     #""\u00e9\ud83d\ude00\b\f\n\r\t\/\\\"""#] {
            try scan(text)
        }
    }

    @Test func scannerRejectsNonJSON() {
        for text in ["", "{", "[1,]", "{\"a\":1,}", "{\"a\"}", "{1:2}", "01", "1.", ".1", "1e", "-", "+1", "NaN", "Infinity",
                     "tru", "nul", "\"abc", "\"\\q\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\ud800\"", "\"\u{7}\"",
                     "[] []", "[1 2]", "'a'", "\u{FEFF}{}"] {
            #expect(throws: ProtoJSONError.self, "\(text)") { try scan(text) }
        }
        #expect(throws: ProtoJSONError.self) { try scan(String(repeating: "[", count: 101) + String(repeating: "]", count: 101)) }
        #expect((try? scan(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))) != nil)
        // Overlong encoding, lone continuation byte, encoded surrogate.
        for bytes: [UInt8] in [[0x22, 0xC0, 0xAF, 0x22], [0x22, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: ProtoJSONError.self) { _ = try ProtoJSONScanner(bytes, options: .init()) }
        }
    }

    @Test func integersAreExact() throws {
        #expect(try ProtoJSONNumbers.signed("9223372036854775807", min: .min, max: .max) == .max)
        #expect(try ProtoJSONNumbers.signed("-9223372036854775808", min: .min, max: .max) == .min)
        #expect(try ProtoJSONNumbers.unsigned("18446744073709551615", max: .max) == .max)
        #expect(try ProtoJSONNumbers.signed("1e2", min: .min, max: .max) == 100)
        #expect(try ProtoJSONNumbers.signed("12.50e1", min: .min, max: .max) == 125)
        #expect(try ProtoJSONNumbers.signed("-0", min: .min, max: .max) == 0)
        #expect(try ProtoJSONNumbers.signed("0e999999999999", min: .min, max: .max) == 0)
        for bad in ["9223372036854775808", "1.5", "1e-1", "1e20", "1e999999999999", "", "abc", " 1", "0x1", "1_000"] {
            #expect(throws: ProtoJSONError.self, "\(bad)") { try ProtoJSONNumbers.signed(bad, min: .min, max: .max) }
        }
        #expect(throws: ProtoJSONError.self) { try ProtoJSONNumbers.unsigned("-1", max: .max) }
        #expect(try ProtoJSONNumbers.unsigned("-0", max: .max) == 0)
    }

    @Test func base64BothAlphabets() {
        var w = ProtoJSONWriter(options: .init())
        w.base64([0xFB, 0xFF, 0xBF, 0x00])
        #expect(String(decoding: w.bytes, as: UTF8.self) == "\"+/+/AA==\"")
        for text in ["+/+/AA==", "-_-_AA", "-_-_AA=="] {
            #expect(ProtoJSONWriter.decodeBase64(text) == [0xFB, 0xFF, 0xBF, 0x00], "\(text)")
        }
        #expect(ProtoJSONWriter.decodeBase64("") == [])
        for bad in ["A", "AA=A", "AA===", "A===", "a b", "AB*=", "AAAAA"] {
            #expect(ProtoJSONWriter.decodeBase64(bad) == nil, "\(bad)")
        }
    }

    @Test func writerEscapesAndNumbers() {
        var w = ProtoJSONWriter(options: .init())
        w.beginArray()
        for s in ["a\"b\\c", "\u{0}\u{1F}\n", "é\u{1F600}"] {
            w.beginElement()
            w.string(s)
        }
        for d in [5.0, -0.0, 0.1, 1e300, .nan, -.infinity] {
            w.beginElement()
            w.double(d)
        }
        w.beginElement()
        w.float(.greatestFiniteMagnitude)
        w.endArray()
        #expect(String(decoding: w.bytes, as: UTF8.self)
            == #"["a\"b\\c","\u0000\u001f\n","é😀",5,-0.0,0.1,1e+300,"NaN","-Infinity",3.4028234663852886e+38]"#)
    }

    @Test func calendarRoundTrips() throws {
        var seconds = ProtoJSONTime.minTimestamp
        while seconds <= ProtoJSONTime.maxTimestamp {
            let (text, error) = ProtoJSONTime.timestampText(seconds: seconds, nanos: 0)
            #expect(error == nil)
            let (back, nanos) = try ProtoJSONTime.parseTimestamp(text)
            #expect(back == seconds && nanos == 0, "\(text)")
            seconds += 86_399 * 97 + 13
        }
        #expect(ProtoJSONTime.timestampText(seconds: 1_700_000_000, nanos: 123_000_000).0 == "2023-11-14T22:13:20.123Z")
        #expect(ProtoJSONTime.timestampText(seconds: .min, nanos: 0).1 != nil)
    }

    @Test func errorPaths() {
        let e = ProtoJSONError("expected a number, got a string").inField("latitude").inField("location")
        #expect(e.fieldPath == "location.latitude")
        #expect(e.description == #"field "location.latitude": expected a number, got a string"#)
        #expect(ProtoJSONError("x").inField("b").inElement("2").inField("a").fieldPath == "a[2].b")
        #expect(ProtoJSONError("x").description == "x")
    }
}
