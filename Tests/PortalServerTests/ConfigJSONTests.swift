import Testing
@testable import portal_server

/// The config file's JSON reader: strict RFC 8259, numbers kept as written, members in order,
/// errors with line and column.
@Suite struct ConfigJSONTests {
    static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue { try JSONReader.parse(Array(text.utf8)) }

    static func error(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsEveryKindOfValue() throws {
        let v = try Self.parse(#" { "a": 1, "b": -0.5e+3, "c": "x\"y\\z\/\n\u00e9\ud83d\ude00", "d": [true, false, null, {}], "e": [] } "#)
        #expect(v == .object([
            JSONMember(key: "a", value: .number("1")),
            JSONMember(key: "b", value: .number("-0.5e+3")),
            JSONMember(key: "c", value: .string("x\"y\\z/\né😀")),
            JSONMember(key: "d", value: .array([.bool(true), .bool(false), .null, .object([])])),
            JSONMember(key: "e", value: .array([])),
        ]))
        #expect(try Self.parse("\u{FEFF}{}") == .object([]))  // a byte order mark is skipped
        #expect(try Self.parse(#"{"k": "Peshāwar"}"#) == .object([JSONMember(key: "k", value: .string("Peshāwar"))]))
    }

    @Test func refusesWhatJSONDoesNot() {
        #expect(Self.error("") == "line 1, column 1: unexpected end, expected a value")
        #expect(Self.error("{\"a\": 1,}") == "line 1, column 9: expected a key in double quotes")
        #expect(Self.error("[1,]") == "line 1, column 4: expected a value")
        #expect(Self.error("{'a': 1}") == "line 1, column 2: expected a key in double quotes")
        #expect(Self.error("{\"a\" 1}") == "line 1, column 6: expected ':'")
        #expect(Self.error("{\"a\": 1} x") == "line 1, column 10: unexpected text after the JSON value")
        #expect(Self.error("// note\n{}") == "line 1, column 1: expected a value")
        #expect(Self.error("{\"a\": 01}") == "line 1, column 8: expected ',' or '}'")  // no leading zeros
        #expect(Self.error("{\"a\": 1.}") == "line 1, column 7: malformed number")
        #expect(Self.error("{\"a\": -}") == "line 1, column 7: malformed number")
        #expect(Self.error("{\"a\": tru}") == "line 1, column 7: expected a value")
        #expect(Self.error("{\"a\": \"x\ny\"}") == "line 1, column 9: control character in a string (escape it)")
        #expect(Self.error("{\"a\": \"\\q\"}") == "line 1, column 8: unknown escape \\q")
        #expect(Self.error("{\"a\": \"\\ud800\"}") == "line 1, column 8: unpaired surrogate in \\u escape")
        #expect(Self.error("{\"a\": \"\\u12\"}") == "line 1, column 10: \\u needs four hex digits")
        #expect(Self.error("{\"a\": \"open") == "line 1, column 7: unterminated string")
        #expect(Self.error("{\n  \"a\": 1\n  \"b\": 2\n}") == "line 3, column 3: expected ',' or '}'")
        #expect(Self.error(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))?.contains("nested deeper than 64") == true)
        #expect(Self.error(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
    }

    @Test func errorMessagesDescribeValues() {
        #expect(JSONValue.number("1e3").shortDescription == "1e3")
        #expect(JSONValue.string("full").shortDescription == "\"full\"")
        #expect(JSONValue.string(String(repeating: "x", count: 61)).shortDescription == "a string")
        #expect(JSONValue.object([]).shortDescription == "an object")
    }
}
