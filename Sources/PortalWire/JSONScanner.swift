/// A strict RFC 8259 pull parser over UTF-8 bytes, for the proto3 JSON mapping.
///
/// The whole input is checked for well-formed UTF-8 up front; strings must use valid escapes
/// (surrogates only in proper pairs) and no raw control characters; numbers follow the JSON
/// grammar exactly; objects and arrays nest at most `maxDepth` deep; nothing but whitespace
/// may follow the top-level value. Callers pull one value at a time (`beginObject`/`nextKey`,
/// `beginArray`/`nextElement`, `readString`, `readNumberText`, ...), or `skipValue()`.
public struct ProtoJSONScanner {
    public static let maxDepth = 100

    public enum Token: Sendable, Equatable {
        case object, array, string, number, bool, null

        var name: String {
            switch self {
            case .object: "an object"
            case .array: "an array"
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            case .null: "null"
            }
        }
    }

    let bytes: [UInt8]
    var index = 0
    var depth = 0
    /// Whether the container just opened has had a member or element yet (for commas).
    private var first = false
    public let options: ProtoJSONDecodingOptions

    public init(_ bytes: [UInt8], options: ProtoJSONDecodingOptions) throws(ProtoJSONError) {
        self.bytes = bytes
        self.options = options
        let valid = bytes.withUnsafeBytes { UTF8Validation.isValid($0) }
        guard valid else { throw ProtoJSONError("input is not valid UTF-8") }
    }

    func fail(_ what: String) -> ProtoJSONError { .syntax(what, at: index) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The kind of the next value, without consuming it.
    public mutating func peek() throws(ProtoJSONError) -> Token {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw fail("unexpected character")
        }
    }

    /// Fails unless only whitespace remains.
    public mutating func finish() throws(ProtoJSONError) {
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the value") }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(ProtoJSONError) {
        let n = literal.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw fail("invalid literal") }
        for i in 0..<n where bytes[index + i] != literal.utf8Start[i] { throw fail("invalid literal") }
        index += n
    }

    /// Consumes `null` if it comes next.
    public mutating func consumeNull() throws(ProtoJSONError) -> Bool {
        guard try peek() == .null else { return false }
        try expectLiteral("null")
        return true
    }

    public mutating func readBool() throws(ProtoJSONError) -> Bool {
        guard try peek() == .bool else { throw ProtoJSONError("expected a boolean, got \(try peek().name)") }
        if bytes[index] == UInt8(ascii: "t") {
            try expectLiteral("true")
            return true
        }
        try expectLiteral("false")
        return false
    }

    // MARK: Containers

    public mutating func beginObject() throws(ProtoJSONError) {
        let token = try peek()
        guard token == .object else { throw ProtoJSONError("expected an object, got \(token.name)") }
        try enter()
    }

    public mutating func beginArray() throws(ProtoJSONError) {
        let token = try peek()
        guard token == .array else { throw ProtoJSONError("expected an array, got \(token.name)") }
        try enter()
    }

    private mutating func enter() throws(ProtoJSONError) {
        guard depth < ProtoJSONScanner.maxDepth else { throw fail("nesting deeper than \(ProtoJSONScanner.maxDepth)") }
        depth += 1
        index += 1
        first = true
    }

    /// The next member's key (its value comes next), or nil after the closing brace.
    public mutating func nextKey() throws(ProtoJSONError) -> String? {
        guard try nextItem(closer: UInt8(ascii: "}")) else { return nil }
        guard try peek() == .string else { throw fail("expected a member name") }
        let key = try readString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        index += 1
        return key
    }

    /// Whether another element follows (it comes next); false after the closing bracket.
    public mutating func nextElement() throws(ProtoJSONError) -> Bool {
        try nextItem(closer: UInt8(ascii: "]"))
    }

    private mutating func nextItem(closer: UInt8) throws(ProtoJSONError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        if bytes[index] == closer {
            index += 1
            depth -= 1
            first = false
            return false
        }
        if first {
            first = false
        } else {
            guard bytes[index] == UInt8(ascii: ",") else { throw fail("expected ',' or '\(Character(Unicode.Scalar(closer)))'") }
            index += 1
            skipWhitespace()
            // A trailing comma is not JSON.
            if index < bytes.count, bytes[index] == closer { throw fail("trailing comma") }
        }
        return true
    }

    /// Skips one value of any kind, checking its syntax all the same.
    public mutating func skipValue() throws(ProtoJSONError) {
        switch try peek() {
        case .object:
            try beginObject()
            while try nextKey() != nil { try skipValue() }
        case .array:
            try beginArray()
            while try nextElement() { try skipValue() }
        case .string: _ = try readString()
        case .number: _ = try readNumberText()
        case .bool: _ = try readBool()
        case .null: try expectLiteral("null")
        }
    }

    // MARK: Numbers

    /// The next number's text, checked against the JSON grammar
    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    public mutating func readNumberText() throws(ProtoJSONError) -> String {
        let token = try peek()
        guard token == .number else { throw ProtoJSONError("expected a number, got \(token.name)") }
        let start = index
        guard let end = ProtoJSONNumbers.numberEnd(bytes, from: index) else { throw fail("malformed number") }
        index = end
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    // MARK: Strings

    public mutating func readString() throws(ProtoJSONError) -> String {
        let token = try peek()
        guard token == .string else { throw ProtoJSONError("expected a string, got \(token.name)") }
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character in string") }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if scalar >= 0xDC00 && scalar <= 0xDFFF { throw fail("unpaired low surrogate") }
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired high surrogate")
                    }
                    index += 2
                    let low = try readHex4()
                    guard low >= 0xDC00 && low <= 0xDFFF else { throw fail("unpaired high surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: Unicode.UTF8.encode(Unicode.Scalar(scalar)!)!)
            default:
                throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    private mutating func readHex4() throws(ProtoJSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | UInt32(d)
            index += 1
        }
        return v
    }

    // MARK: Rewinding (for `Any`, whose `@type` may come after the fields)

    public struct Position: Sendable {
        let index: Int
        let depth: Int
        let first: Bool
    }

    public var position: Position { Position(index: index, depth: depth, first: first) }

    public mutating func rewind(to p: Position) {
        index = p.index
        depth = p.depth
        first = p.first
    }
}
