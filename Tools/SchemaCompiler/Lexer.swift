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
        var tokens: [Token] = []
        var comment: [String] = []
        var commentEndLine = -10
        var previousTokenLine = -1
        while true {
            // Whitespace and comments.
            guard let c = peek() else { break }
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r")
                || c == UInt8(ascii: "\n") || c == 0x0B || c == 0x0C {
                advance()
                continue
            }
            if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
                let startLine = line
                var text: [UInt8] = []
                advance(); advance()
                while let d = peek(), d != UInt8(ascii: "\n") { text.append(d); advance() }
                if startLine != previousTokenLine {  // not a trailing comment
                    if startLine > commentEndLine + 1 { comment = [] }
                    comment.append(String(decoding: text, as: UTF8.self))
                    commentEndLine = startLine
                }
                continue
            }
            if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                let start = location
                let startLine = line
                advance(); advance()
                var text: [UInt8] = []
                var closed = false
                while let d = peek() {
                    if d == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                        advance(); advance()
                        closed = true
                        break
                    }
                    text.append(d)
                    advance()
                }
                if !closed { error("End-of-file inside block comment.", at: start) }
                if startLine != previousTokenLine {
                    if startLine > commentEndLine + 1 { comment = [] }
                    for l in String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
                        var s = Substring(l)
                        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
                        if s.first == "*" { s = s.dropFirst() }
                        comment.append(String(s))
                    }
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

    private static func isLetter(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == UInt8(ascii: "_")
    }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }
    private static func hexValue(_ c: UInt8) -> UInt32 {
        if isDigit(c) { return UInt32(c - 0x30) }
        if c >= 0x61 { return UInt32(c - 0x61 + 10) }
        return UInt32(c - 0x41 + 10)
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
        if c >= 0x80 || c < 0x20 {
            advance()
            error("Invalid control characters encountered in text.", at: start)
            return lexToken(start: location)
        }
        advance()
        return .symbol(Character(Unicode.Scalar(c)))
    }

    private mutating func lexNumber(start: SourceLocation) -> Token.Kind {
        var s: [UInt8] = []
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            advance(); advance()
            var value: UInt64 = 0
            var overflow = false
            var digits = 0
            while let d = peek(), Lexer.isHex(d) {
                let (m, o1) = value.multipliedReportingOverflow(by: 16)
                let (a, o2) = m.addingReportingOverflow(UInt64(Lexer.hexValue(d)))
                value = a
                overflow = overflow || o1 || o2
                digits += 1
                advance()
            }
            if digits == 0 { error("\"0x\" must be followed by hex digits.", at: start) }
            if let d = peek(), Lexer.isLetter(d) { error("Need space between number and identifier.") }
            return .integer(value, overflow: overflow)
        }
        var isFloat = false
        while let d = peek() {
            if Lexer.isDigit(d) {
                s.append(d); advance()
            } else if d == UInt8(ascii: ".") && !isFloat {
                isFloat = true
                s.append(d); advance()
            } else if d == UInt8(ascii: "e") || d == UInt8(ascii: "E") {
                isFloat = true
                s.append(d); advance()
                if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { s.append(sign); advance() }
                guard let e = peek(), Lexer.isDigit(e) else {
                    error("\"e\" must be followed by exponent.", at: start)
                    return .float(0)
                }
            } else {
                break
            }
        }
        if let d = peek(), d == UInt8(ascii: "f") || d == UInt8(ascii: "F") {
            if isFloat { advance() }  // protoc accepts a trailing f on float literals
        }
        if let d = peek(), Lexer.isLetter(d) {
            error("Need space between number and identifier.")
        }
        let text = String(decoding: s, as: UTF8.self)
        if isFloat { return .float(Double(text) ?? 0) }
        if text.count > 1 && text.first == "0" {  // octal
            var value: UInt64 = 0
            var overflow = false
            for ch in text.utf8 {
                guard ch >= 0x30 && ch <= 0x37 else {
                    error("Numbers starting with leading zero must be in octal.", at: start)
                    return .integer(0, overflow: false)
                }
                let (m, o1) = value.multipliedReportingOverflow(by: 8)
                let (a, o2) = m.addingReportingOverflow(UInt64(ch - 0x30))
                value = a
                overflow = overflow || o1 || o2
            }
            return .integer(value, overflow: overflow)
        }
        if let v = UInt64(text) { return .integer(v, overflow: false) }
        return .integer(UInt64.max, overflow: true)
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
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "?"): out.append(e)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var v = UInt32(e - 0x30)
                for _ in 0..<2 {
                    guard let d = peek(), d >= 0x30 && d <= 0x37 else { break }
                    v = v * 8 + UInt32(d - 0x30)
                    advance()
                }
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                var v: UInt32 = 0
                var n = 0
                while n < 2, let d = peek(), Lexer.isHex(d) { v = v * 16 + Lexer.hexValue(d); advance(); n += 1 }
                if n == 0 { error("Expected hex digits for escape sequence.", at: escLoc) }
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = e == UInt8(ascii: "u") ? 4 : 8
                var v: UInt32 = 0
                var ok = true
                for _ in 0..<count {
                    guard let d = peek(), Lexer.isHex(d) else { ok = false; break }
                    v = v &* 16 &+ Lexer.hexValue(d)
                    advance()
                }
                if ok, let scalar = Unicode.Scalar(v) {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                } else {
                    error("Expected four hex digits for \\u escape sequence.", at: escLoc)
                }
            default:
                error("Invalid escape sequence in string literal.", at: escLoc)
            }
        }
    }
}
