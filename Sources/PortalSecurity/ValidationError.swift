/// A rejected input field. The message names the field and the rule it broke, never the
/// value itself, so it is safe to log and to return to the client.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field's wire name, e.g. `"cnic"`, `"mobile"`, `"password"`.
    public let field: String
    /// What is wrong, in words fit for the user, e.g. `"must be 13 digits"`.
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

/// Helpers shared by the validators.
enum InputText {
    /// `text` without leading and trailing white space (any Unicode white space).
    static func trimmed(_ text: String) -> Substring {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice
    }

    /// The ASCII value of a decimal digit: ASCII `0-9`, plus the Arabic-Indic (U+0660…0669)
    /// and Extended Arabic-Indic (U+06F0…06F9) digits that Urdu keyboards type. Nil otherwise.
    static func digitValue(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39: UInt8(scalar.value - 0x30)
        case 0x660...0x669: UInt8(scalar.value - 0x660)
        case 0x6F0...0x6F9: UInt8(scalar.value - 0x6F0)
        default: nil
        }
    }
}
