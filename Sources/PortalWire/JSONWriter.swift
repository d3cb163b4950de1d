/// Appends compact JSON text to a byte array, for the proto3 JSON mapping.
///
/// Commas are placed automatically: `key(_:)` and `beginElement()` write one unless the
/// container was just opened. Strings are escaped as RFC 8259 requires (quote, backslash,
/// control characters); everything else is written as UTF-8. A message that has no JSON
/// form (a timestamp out of range) records `failure` and writes its best effort.
public struct ProtoJSONWriter {
    public var bytes: [UInt8] = []
    public let options: ProtoJSONEncodingOptions
    /// The first reason the output is not valid proto3 JSON, if any.
    public var failure: ProtoJSONError?
    private var needsComma = false

    public init(options: ProtoJSONEncodingOptions) {
        self.options = options
    }

    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts an object member: `,"name":`.
    public mutating func key(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Starts an array element (writes the comma before all but the first).
    public mutating func beginElement() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = false
    }

    /// Text that is already valid JSON (a number, `true`, `null`).
    public mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    public mutating func null() { raw("null") }

    public mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for c in value.utf8 {
            switch c {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), c])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), c])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(c >> 4)], hex[Int(c & 15)]])
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A double as JSON: the shortest text that reads back to the same value, integral values
    /// without `.0`; NaN and the infinities as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    public mutating func double(_ value: Double) {
        if value.isNaN { return string("NaN") }
        if value.isInfinite { return string(value < 0 ? "-Infinity" : "Infinity") }
        raw(Self.trimmed(value.description))
    }

    public mutating func float(_ value: Float) {
        if value.isNaN { return string("NaN") }
        if value.isInfinite { return string(value < 0 ? "-Infinity" : "Infinity") }
        // The shortest text of ±Float.greatestFiniteMagnitude, 3.4028235e+38, is above it as a
        // double, and readers that check the range on the double (Python) reject it.
        if value.magnitude == .greatestFiniteMagnitude { return raw(Double(value).description) }
        raw(Self.trimmed(value.description))
    }

    /// `5.0` as `5`; but `-0.0` stays (`-0` reads back as the integer 0 in some parsers).
    static func trimmed(_ text: String) -> String {
        text.hasSuffix(".0") && text != "-0.0" ? String(text.dropLast(2)) : text
    }

    public mutating func fail(_ error: ProtoJSONError) {
        if failure == nil { failure = error }
    }

    // MARK: Base64

    private static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding, as a JSON string.
    public mutating func base64(_ data: [UInt8]) {
        let table = Self.base64Alphabet
        bytes.append(UInt8(ascii: "\""))
        var i = 0
        while i + 3 <= data.count {
            let n = UInt32(data[i]) << 16 | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2])
            bytes.append(contentsOf: [table[Int(n >> 18)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], table[Int(n & 63)]])
            i += 3
        }
        let rest = data.count - i
        if rest > 0 {
            let n = UInt32(data[i]) << 16 | (rest == 2 ? UInt32(data[i + 1]) << 8 : 0)
            bytes.append(table[Int(n >> 18)])
            bytes.append(table[Int(n >> 12 & 63)])
            bytes.append(rest == 2 ? table[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            bytes.append(UInt8(ascii: "="))
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Decodes standard or URL-safe base64, padded or not; nil if malformed.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        var padding = 0
        var count = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="):
                padding += 1
                continue
            default: return nil
            }
            if padding > 0 { return nil }  // data after padding
            count += 1
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        // A lone final character carries fewer than 8 bits; padding must complete a quantum.
        if count % 4 == 1 { return nil }
        if padding > 0 && (count + padding) % 4 != 0 { return nil }
        if padding > 2 { return nil }
        return out
    }
}
