/// Splits a `.proto` source into tokens, keeping the comment block above each token so the
/// emitter can carry schema comments into Swift doc comments.
struct Lexer {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1
    private(set) var errors: [SchemaError] = []

    init(source: String, file: String) {
        self.bytes = Array(source.utf8)
        self.file = file
    }

    private var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func peek(_ offset: Int = 0) -> UInt8? {
        let i = index + offset
        return i < bytes.count ? bytes[i] : nil
    }

    private mutating func advance() {
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func error(_ message: String, at loc: SourceLocation? = nil) {
        errors.append(SchemaError(loc ?? location, message))
    }

    mutating func tokenize() -> [Token] {
        // A UTF-8 byte-order mark before the first token is skipped, as protoc does.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        var tokens: [Token] = []
        var comment: [String] = []
        var commentEndLine = -10
        var previousTokenLine = -1
        while true {
            guard let c = peek() else { break }
            if Lexer.whitespace.contains(c) { advance(); continue }
            if c < 0x20 {
                // One error for a run of control characters, which are then skipped (protoc).
                error("Invalid control characters encountered in text.")
                while let d = peek(), d < 0x20, !Lexer.whitespace.contains(d) { advance() }
                continue
            }
            if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") || peek(1) == UInt8(ascii: "*") {
                let startLine = line
                let lines = peek(1) == UInt8(ascii: "/") ? lexLineComment() : lexBlockComment()
                if startLine != previousTokenLine {  // trailing comments are not kept
                    if startLine > commentEndLine + 1 { comment = [] }  // a blank line detaches
                    comment += lines
                    commentEndLine = line
                }
                continue
            }
            let start = location
            let startIndex = index
            let attached: String? = (commentEndLine == start.line - 1 || commentEndLine == start.line) && !comment.isEmpty
                ? comment.joined(separator: "\n") : nil
            comment = []
            commentEndLine = -10
            let kind = lexToken(start: start)
            let text = String(decoding: bytes[startIndex..<index], as: UTF8.self)
            tokens.append(Token(kind: kind, location: start, leadingComment: attached, text: text))
            previousTokenLine = line
        }
        tokens.append(Token(kind: .endOfFile, location: location, leadingComment: nil, text: ""))
        return tokens
    }

    /// `// text` up to the end of the line: the text after the slashes.
    private mutating func lexLineComment() -> [String] {
        advance(); advance()
        var text: [UInt8] = []
        while let d = peek(), d != UInt8(ascii: "\n") { text.append(d); advance() }
        if text.last == UInt8(ascii: "\r") { text.removeLast() }
        return [String(decoding: text, as: UTF8.self)]
    }

    /// `/* text */`: its lines, with indentation and one leading `*` stripped.
    private mutating func lexBlockComment() -> [String] {
        let start = location
        advance(); advance()
        var text: [UInt8] = []
        while peek() != UInt8(ascii: "*") || peek(1) != UInt8(ascii: "/") {
            guard let d = peek() else {
                error("End-of-file inside block comment.", at: start)
                break
            }
            if d == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                error("\"/*\" inside block comment.  Block comments cannot be nested.",
                      at: SourceLocation(file: file, line: line, column: column + 1))
            }
            text.append(d)
            advance()
        }
        if peek() != nil { advance(); advance() }
        // Split on bytes: "\r\n" is a single Character in Swift.
        return text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { l in
            var s = l
            if s.last == UInt8(ascii: "\r") { s = s.dropLast() }
            while s.first == UInt8(ascii: " ") || s.first == UInt8(ascii: "\t") { s = s.dropFirst() }
            if s.first == UInt8(ascii: "*") { s = s.dropFirst() }
            return String(decoding: s, as: UTF8.self)
        }
    }

    /// Space, \t, \n, \v, \f, \r.
    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
    /// The one-character escapes: \a \b \f \n \r \t \v \\ \? \' \".
    private static let simpleEscapes: [UInt8: UInt8] = [
        0x61: 0x07, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09, 0x76: 0x0B,
        0x5C: 0x5C, 0x3F: 0x3F, 0x27: 0x27, 0x22: 0x22,
    ]

    private static func isLetter(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == UInt8(ascii: "_")
    }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }
    private static func hexValue(_ c: UInt8) -> UInt32 {
        isDigit(c) ? UInt32(c - 0x30) : UInt32((c | 0x20) - 0x61 + 10)
    }

    private mutating func lexToken(start: SourceLocation) -> Token.Kind {
        let c = peek()!
        if Lexer.isLetter(c) {
            var s: [UInt8] = []
            while let d = peek(), Lexer.isLetter(d) || Lexer.isDigit(d) { s.append(d); advance() }
            return .identifier(String(decoding: s, as: UTF8.self))
        }
        if Lexer.isDigit(c) || (c == UInt8(ascii: ".") && peek(1).map(Lexer.isDigit) == true) {
            return lexNumber(start: start)
        }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            return lexString(quote: c, start: start)
        }
        advance()
        // protoc reports each non-ASCII byte and carries on with it as a symbol.
        if c >= 0x80 { error("Interpreting non ascii codepoint \(c).", at: start) }
        return .symbol(Character(Unicode.Scalar(c)))
    }

    /// protoc's `Tokenizer::ConsumeNumber`: hex, octal, decimal and float literals (no `f`
    /// suffix in .proto files), with its error messages.
    private mutating func lexNumber(start: SourceLocation) -> Token.Kind {
        let startIndex = index
        var isFloat = false
        var radix: UInt64 = 10
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            advance(); advance()
            radix = 16
            if peek().map(Lexer.isHex) != true { error("\"0x\" must be followed by hex digits.") }
            while let d = peek(), Lexer.isHex(d) { advance() }
        } else if peek() == UInt8(ascii: "0"), peek(1).map(Lexer.isDigit) == true {
            advance()
            radix = 8
            while let d = peek(), d >= 0x30 && d <= 0x37 { advance() }
            if peek().map(Lexer.isDigit) == true {
                error("Numbers starting with leading zero must be in octal.")
                while let d = peek(), Lexer.isDigit(d) { advance() }
            }
        } else {
            while let d = peek(), Lexer.isDigit(d) { advance() }
            if peek() == UInt8(ascii: ".") {
                isFloat = true
                advance()
                while let d = peek(), Lexer.isDigit(d) { advance() }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                isFloat = true
                advance()
                if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { advance() }
                if peek().map(Lexer.isDigit) != true { error("\"e\" must be followed by exponent.") }
                while let d = peek(), Lexer.isDigit(d) { advance() }
            }
        }
        if let d = peek(), Lexer.isLetter(d) {
            error("Need space between number and identifier.")
        } else if peek() == UInt8(ascii: ".") {
            error(isFloat ? "Already saw decimal point or exponent; can't have another one."
                          : "Hex and octal numbers must be integers.")
        }
        let text = String(decoding: bytes[startIndex..<index], as: UTF8.self)
        if isFloat { return .float(Double(text) ?? 0) }
        // Digits after the prefix, in `radix` (invalid octal digits were reported above).
        let digits = radix == 16 ? text.dropFirst(2) : Substring(text)
        var value: UInt64 = 0
        var overflow = false
        for ch in digits.utf8 {
            let digit = UInt64(Lexer.hexValue(ch))
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (a, o2) = m.addingReportingOverflow(min(digit, radix - 1))
            value = a
            overflow = overflow || o1 || o2
        }
        return .integer(value, overflow: overflow)
    }

    private mutating func lexString(quote: UInt8, start: SourceLocation) -> Token.Kind {
        advance()
        var out: [UInt8] = []
        while true {
            guard let c = peek() else {
                error("Unexpected end of string.", at: start)
                return .string(out)
            }
            if c == UInt8(ascii: "\n") {
                error("String literals cannot cross line boundaries.")
                return .string(out)
            }
            advance()
            if c == quote { return .string(out) }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                continue
            }
            let escLoc = location
            guard let e = peek() else { continue }
            advance()
            if let simple = Lexer.simpleEscapes[e] {
                out.append(simple)
                continue
            }
            switch e {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var v = UInt32(e - 0x30)
                for _ in 0..<2 {
                    guard let d = peek(), d >= 0x30 && d <= 0x37 else { break }
                    v = v * 8 + UInt32(d - 0x30)
                    advance()
                }
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "x"):
                var v: UInt32 = 0
                var n = 0
                while n < 2, let d = peek(), Lexer.isHex(d) { v = v * 16 + Lexer.hexValue(d); advance(); n += 1 }
                if n == 0 { error("Expected hex digits for escape sequence.") }
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "u"):
                guard let v = lexHexDigits(4) else {
                    error("Expected four hex digits for \\u escape sequence.")
                    continue
                }
                Lexer.appendUTF8(combineSurrogates(v), to: &out)
            case UInt8(ascii: "U"):
                // protoc accepts exactly eight hex digits of the form 00[01]xxxxx.
                guard peek() == 0x30, peek(1) == 0x30, peek(2) == 0x30 || peek(2) == 0x31,
                      (3..<8).allSatisfy({ peek($0).map(Lexer.isHex) == true }), let v = lexHexDigits(8) else {
                    error("Expected eight hex digits up to 10ffff for \\U escape sequence")
                    continue
                }
                Lexer.appendUTF8(combineSurrogates(v), to: &out)
            default:
                error("Invalid escape sequence in string literal.", at: escLoc)
            }
        }
    }

    /// Exactly `count` hex digits (consumed), or nil (nothing consumed).
    private mutating func lexHexDigits(_ count: Int) -> UInt32? {
        guard (0..<count).allSatisfy({ peek($0).map(Lexer.isHex) == true }) else { return nil }
        defer { for _ in 0..<count { advance() } }
        return (0..<count).reduce(UInt32(0)) { $0 * 16 + Lexer.hexValue(peek($1)!) }
    }

    /// A head surrogate directly followed by `\\u` and a trail surrogate is one code point
    /// (as in protoc); otherwise the surrogate is kept as it is.
    private mutating func combineSurrogates(_ head: UInt32) -> UInt32 {
        guard (0xD800...0xDBFF).contains(head), peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u"),
              (2..<6).allSatisfy({ peek($0).map(Lexer.isHex) == true }) else { return head }
        let trail = (2..<6).reduce(UInt32(0)) { $0 * 16 + Lexer.hexValue(peek($1)!) }
        guard (0xDC00...0xDFFF).contains(trail) else { return head }
        for _ in 0..<6 { advance() }
        return 0x10000 + ((head - 0xD800) << 10) + (trail - 0xDC00)
    }

    /// protoc's `AppendUTF8`: a code point up to 0x1FFFFF (the most `\U` allows; lone
    /// surrogates included) as UTF-8-style bytes.
    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800: out += [UInt8(0xC0 | (v >> 6)), UInt8(0x80 | (v & 0x3F))]
        case 0x800..<0x10000:
            out += [UInt8(0xE0 | (v >> 12)), UInt8(0x80 | ((v >> 6) & 0x3F)), UInt8(0x80 | (v & 0x3F))]
        default:
            out += [UInt8(0xF0 | ((v >> 18) & 0x07)), UInt8(0x80 | ((v >> 12) & 0x3F)),
                    UInt8(0x80 | ((v >> 6) & 0x3F)), UInt8(0x80 | (v & 0x3F))]
        }
    }
}
