/// Number parsing for the proto3 JSON mapping: integers exactly (never through a double, so
/// 64-bit values survive), in any JSON spelling that denotes an integer (`1e5`, `100.0`), and
/// floating point through the standard library after the JSON grammar has been checked.
enum ProtoJSONNumbers {
    /// Where a JSON number starting at `start` ends, or nil if it is malformed.
    static func numberEnd(_ b: [UInt8], from start: Int) -> Int? {
        var i = start
        func isDigit(_ i: Int) -> Bool { i < b.endIndex && b[i] >= 0x30 && b[i] <= 0x39 }
        if i < b.endIndex && b[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { return nil }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < b.endIndex && b[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        if i < b.endIndex && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            if i < b.endIndex && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        return i
    }

    /// Parses JSON number text as an integer: `(negative, magnitude)`. Fails on fractions
    /// that are not zero and on magnitudes past `UInt64.max`.
    static func integer(_ text: String) throws(ProtoJSONError) -> (negative: Bool, magnitude: UInt64) {
        let b = Array(text.utf8)
        guard !b.isEmpty, numberEnd(b, from: 0) == b.count else {
            throw ProtoJSONError("invalid number \"\(text)\"")
        }
        var i = 0
        let negative = b[0] == UInt8(ascii: "-")
        if negative { i += 1 }
        var digits: [UInt8] = []
        var fractionDigits = 0
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { digits.append(b[i] - 0x30); i += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { digits.append(b[i] - 0x30); fractionDigits += 1; i += 1 }
        }
        var exponent = 0
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { expNegative = b[i] == UInt8(ascii: "-"); i += 1 }
            while i < b.count {
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(b[i] - 0x30) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        var scale = exponent - fractionDigits
        // Drop leading zeros: they matter neither for the value nor for the overflow check.
        let firstNonZero = digits.firstIndex { $0 != 0 } ?? digits.count
        digits.removeFirst(firstNonZero)
        if digits.isEmpty { return (negative, 0) }
        if scale < 0 {
            let drop = -scale
            guard drop <= digits.count, digits.suffix(drop).allSatisfy({ $0 == 0 }) else {
                throw ProtoJSONError("\(text) is not an integer")
            }
            digits.removeLast(drop)
            scale = 0
        }
        guard digits.count + scale <= 20 else { throw ProtoJSONError("\(text) is out of range") }
        var value: UInt64 = 0
        for d in digits + [UInt8](repeating: 0, count: scale) {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { throw ProtoJSONError("\(text) is out of range") }
            value = s
        }
        return (negative, value)
    }

    static func signed(_ text: String, min: Int64, max: Int64) throws(ProtoJSONError) -> Int64 {
        let (negative, magnitude) = try integer(text)
        if negative {
            guard magnitude <= UInt64(bitPattern: Int64.min), Int64(truncatingIfNeeded: 0 &- magnitude) >= min else {
                throw ProtoJSONError("\(text) is out of range")
            }
            return Int64(truncatingIfNeeded: 0 &- magnitude)
        }
        guard magnitude <= UInt64(max) else { throw ProtoJSONError("\(text) is out of range") }
        return Int64(magnitude)
    }

    static func unsigned(_ text: String, max: UInt64) throws(ProtoJSONError) -> UInt64 {
        let (negative, magnitude) = try integer(text)
        guard magnitude <= max, !negative || magnitude == 0 else { throw ProtoJSONError("\(text) is out of range") }
        return magnitude
    }

    /// The text of a JSON number, or of a string holding one (protobuf accepts both for
    /// integers), from the scanner.
    static func integerText(_ scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> String {
        switch try scanner.peek() {
        case .number: return try scanner.readNumberText()
        case .string: return try scanner.readString()
        case let other: throw ProtoJSONError("expected an integer, got \(other.name)")
        }
    }

    /// A double from a JSON number or a string holding a number, `NaN`, `Infinity` or
    /// `-Infinity`. Finite text that overflows is an error.
    static func double(_ scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Double {
        let text: String
        switch try scanner.peek() {
        case .number:
            text = try scanner.readNumberText()
        case .string:
            text = try scanner.readString()
            switch text {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default:
                let b = Array(text.utf8)
                guard !b.isEmpty, numberEnd(b, from: 0) == b.count else {
                    throw ProtoJSONError("invalid number \"\(text)\"")
                }
            }
        case let other:
            throw ProtoJSONError("expected a number, got \(other.name)")
        }
        guard let value = Double(text), value.isFinite else { throw ProtoJSONError("\(text) is out of range") }
        return value
    }

    static func float(_ scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Float {
        let d = try double(scanner: &scanner)
        if !d.isFinite { return Float(d) }
        // Rounding decides: our own output for Float.greatestFiniteMagnitude is a shortest
        // float text slightly above it as a double.
        let f = Float(d)
        guard f.isFinite else { throw ProtoJSONError("\(d) is out of range for a float") }
        return f
    }

    private static func double(scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Double {
        try double(&scanner)
    }
}
