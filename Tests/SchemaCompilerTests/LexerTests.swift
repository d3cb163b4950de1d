import Testing
@testable import SchemaCompiler

/// Tokenizer details that protoc's `io::Tokenizer` defines: string escapes, number forms,
/// and the lexical errors.
@Suite("Lexer")
struct LexerTests {
    /// The bytes of the single string literal in `source`.
    func stringBytes(_ source: String) throws -> [UInt8] {
        let (tokens, errors) = InProcessCompiler.lex(source)
        #expect(errors.isEmpty, "\(errors)")
        let token = try #require(tokens.first)
        guard case .string(let bytes) = token.kind else {
            Issue.record("not a string: \(token.kind)")
            return []
        }
        return bytes
    }

    /// The error messages lexing `source` produces.
    func lexErrors(_ source: String) -> [String] {
        InProcessCompiler.lex(source).1.map(\.description)
    }

    @Test("C escapes")
    func simpleEscapes() throws {
        #expect(try stringBytes(#""\a\b\f\n\r\t\v\\\?\'\"""#) == [7, 8, 12, 10, 13, 9, 11, 92, 63, 39, 34])
    }

    @Test("Octal escapes take up to three digits")
    func octalEscapes() throws {
        #expect(try stringBytes(#""\101\60\0""#) == [65, 48, 0])
        #expect(try stringBytes(#""\1234""#) == [83, 52])
        #expect(try stringBytes(#""\777""#) == [0xFF])  // 511, truncated to a byte as protoc does
    }

    @Test("Hex escapes take one or two digits")
    func hexEscapes() throws {
        #expect(try stringBytes(#""\x41\x4""#) == [0x41, 0x04])
        #expect(try stringBytes(#""\x414""#) == [0x41, 0x34])
        #expect(try stringBytes(#""\xfF""#) == [0xFF])
    }

    @Test("Unicode escapes are UTF-8 encoded; surrogate pairs combine")
    func unicodeEscapes() throws {
        #expect(try stringBytes(#""\u00e9""#) == [0xC3, 0xA9])
        #expect(try stringBytes(#""\u20AC""#) == [0xE2, 0x82, 0xAC])
        #expect(try stringBytes(#""\U0001F600""#) == [0xF0, 0x9F, 0x98, 0x80])
        #expect(try stringBytes(#""\ud83d\ude00""#) == [0xF0, 0x9F, 0x98, 0x80])
        // A lone surrogate is kept (protoc encodes it as three bytes too).
        #expect(try stringBytes(#""\ud800x""#) == [0xED, 0xA0, 0x80, 0x78])
        // protoc's check is 00[01]xxxxx, so 0x110000 passes and is encoded in four bytes.
        #expect(try stringBytes(#""\U00110000""#) == [0xF4, 0x90, 0x80, 0x80])
    }

    @Test("Quotes of the other kind need no escape")
    func quoting() throws {
        #expect(try stringBytes(#"'say "hi"'"#) == Array(#"say "hi""#.utf8))
        #expect(try stringBytes(#""it's""#) == Array("it's".utf8))
    }

    @Test("Invalid escapes are errors at the escape")
    func invalidEscapes() {
        #expect(lexErrors(#""a\qb""#) == ["test.proto:1:4: Invalid escape sequence in string literal."])
        #expect(lexErrors(#""\X41""#) == ["test.proto:1:3: Invalid escape sequence in string literal."])
        #expect(lexErrors(#""\xZ""#) == ["test.proto:1:4: Expected hex digits for escape sequence."])
        #expect(lexErrors(#""\u12""#) == [#"test.proto:1:4: Expected four hex digits for \u escape sequence."#])
        #expect(lexErrors(#""\U00200000""#) == [#"test.proto:1:4: Expected eight hex digits up to 10ffff for \U escape sequence"#])
    }

    @Test("Unterminated strings")
    func unterminatedStrings() {
        #expect(lexErrors("\"abc\nx") == ["test.proto:1:5: String literals cannot cross line boundaries."])
        #expect(lexErrors("x = \"abc") == ["test.proto:1:5: Unexpected end of string."])
    }

    @Test("Integer forms: decimal, hex, octal, overflow")
    func integers() throws {
        let (tokens, errors) = InProcessCompiler.lex("0 42 0x1F 0X1f 017 18446744073709551615 18446744073709551616")
        #expect(errors.isEmpty)
        #expect(tokens.map(\.kind) == [
            .integer(0, overflow: false), .integer(42, overflow: false), .integer(31, overflow: false),
            .integer(31, overflow: false), .integer(15, overflow: false),
            .integer(UInt64.max, overflow: false), .integer(0, overflow: true),
        ])
    }

    @Test("Float forms")
    func floats() {
        let (tokens, errors) = InProcessCompiler.lex("1.5 .5 1. 1e3 2E-2 0.25")
        #expect(errors.isEmpty)
        #expect(tokens.map(\.kind) == [.float(1.5), .float(0.5), .float(1), .float(1000), .float(0.02), .float(0.25)])
    }

    @Test("Number errors")
    func numberErrors() {
        #expect(lexErrors("09") == ["test.proto:1:2: Numbers starting with leading zero must be in octal."])
        #expect(lexErrors("0x;") == ["test.proto:1:3: \"0x\" must be followed by hex digits."])
        #expect(lexErrors("1e;") == ["test.proto:1:3: \"e\" must be followed by exponent."])
        #expect(lexErrors("1.5f") == ["test.proto:1:4: Need space between number and identifier."])
        #expect(lexErrors("12abc") == ["test.proto:1:3: Need space between number and identifier."])
        #expect(lexErrors("1.2.3") == ["test.proto:1:4: Already saw decimal point or exponent; can't have another one."])
        #expect(lexErrors("0x1.5") == ["test.proto:1:4: Hex and octal numbers must be integers."])
    }

    @Test("Comment and character errors")
    func commentErrors() {
        #expect(lexErrors("/* a /* b */") == [#"test.proto:1:7: "/*" inside block comment.  Block comments cannot be nested."#])
        #expect(lexErrors("x /* open") == ["test.proto:1:3: End-of-file inside block comment."])
        #expect(lexErrors("a\u{1}b") == ["test.proto:1:2: Invalid control characters encountered in text."])
        #expect(lexErrors("a\u{e9}") == ["test.proto:1:2: Interpreting non ascii codepoint 195.",
                                        "test.proto:1:3: Interpreting non ascii codepoint 169."])
    }

    @Test("A byte-order mark is skipped; non-ASCII is fine inside strings and comments")
    func byteOrderMarkAndUnicode() throws {
        let (tokens, errors) = InProcessCompiler.lex("\u{FEFF}syntax // café\n\"市民\"")
        #expect(errors.isEmpty)
        #expect(tokens.map(\.kind) == [.identifier("syntax"), .string(Array("市民".utf8))])
        #expect(tokens.first?.location.line == 1)
        #expect(tokens.last?.location.line == 2)
    }

    @Test("Token locations are 1-based lines and columns")
    func locations() {
        let (tokens, _) = InProcessCompiler.lex("message  Foo {\n  int32 a = 1;\n}")
        let positions = tokens.map { "\($0.location.line):\($0.location.column)" }
        #expect(positions == ["1:1", "1:10", "1:14", "2:3", "2:9", "2:11", "2:13", "2:14", "3:1"])
    }
}
