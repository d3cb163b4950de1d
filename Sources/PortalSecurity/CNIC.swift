/// A Pakistani Computerised National Identity Card number (NADRA): 13 digits, written
/// `12345-1234567-1` (locality, family/serial, check/gender digit) or bare.
///
/// ```swift
/// let cnic = try CNIC("17301-1234567-1")   // cnic.digits == "1730112345671"
/// ```
public struct CNIC: Sendable, Hashable, CustomStringConvertible {
    /// The normalised form: exactly 13 ASCII digits.
    public let digits: String

    /// Accepts `XXXXX-XXXXXXX-X` or 13 bare digits (surrounding white space ignored; Urdu
    /// keyboard digits accepted). Rejects dashes anywhere else, any other character, the
    /// wrong number of digits, and all zeros.
    public init(_ text: String, field: String = "cnic") throws(ValidationError) {
        let input = InputText.trimmed(text)
        guard !input.isEmpty else { throw ValidationError(field: field, reason: "is required") }
        var digits: [UInt8] = []
        var dashes: [Int] = []   // how many digits preceded each dash
        for scalar in input.unicodeScalars {
            if let value = InputText.digitValue(scalar) {
                digits.append(UInt8(ascii: "0") + value)
            } else if scalar == "-" {
                dashes.append(digits.count)
            } else {
                throw ValidationError(field: field, reason: "may contain only digits and dashes")
            }
            if digits.count > 13 { break }
        }
        guard digits.count == 13 else {
            throw ValidationError(field: field, reason: "must be 13 digits (e.g. 12345-1234567-1)")
        }
        guard dashes.isEmpty || dashes == [5, 12] else {
            throw ValidationError(field: field, reason: "must be written 12345-1234567-1 or as 13 digits")
        }
        guard digits.contains(where: { $0 != UInt8(ascii: "0") }) else {
            throw ValidationError(field: field, reason: "is not a valid CNIC number")
        }
        self.digits = String(decoding: digits, as: UTF8.self)
    }

    /// `12345-1234567-1`, for display.
    public var formatted: String {
        let d = Array(digits)
        return String(d[0..<5]) + "-" + String(d[5..<12]) + "-" + String(d[12])
    }

    public var description: String { formatted }
}
