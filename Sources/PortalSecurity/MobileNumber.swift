/// A Pakistani mobile number (the 03xx network codes), normalised to E.164: `+923XXXXXXXXX`.
///
/// Accepted spellings, with single spaces or dashes allowed between digit groups:
/// `03001234567`, `0300-1234567`, `+92 300 1234567`, `923001234567`, `0092 300 1234567`.
public struct MobileNumber: Sendable, Hashable, CustomStringConvertible {
    /// `+92` followed by 10 digits, the first of them `3`.
    public let e164: String

    public init(_ text: String, field: String = "mobile") throws(ValidationError) {
        let input = InputText.trimmed(text)
        guard !input.isEmpty else { throw ValidationError(field: field, reason: "is required") }
        let invalid = ValidationError(
            field: field, reason: "must be a Pakistani mobile number such as 03001234567 or +923001234567")

        var digits: [UInt8] = []
        var plus = false
        var previousWasSeparator = false
        for (offset, scalar) in input.unicodeScalars.enumerated() {
            if let value = InputText.digitValue(scalar) {
                digits.append(UInt8(ascii: "0") + value)
                previousWasSeparator = false
            } else if scalar == "+" && offset == 0 {
                plus = true
            } else if scalar == " " || scalar == "-" {
                // Only between digits: not first, not after '+', not doubled.
                guard !digits.isEmpty, !previousWasSeparator else { throw invalid }
                previousWasSeparator = true
            } else {
                throw invalid
            }
            if digits.count > 14 { throw invalid }
        }
        guard !previousWasSeparator else { throw invalid }

        // Strip the country or trunk prefix down to the 10-digit national number 3XXXXXXXXX.
        let national: ArraySlice<UInt8>
        let text = String(decoding: digits, as: UTF8.self)
        if plus {
            guard digits.count == 12, text.hasPrefix("92") else { throw invalid }
            national = digits[2...]
        } else if digits.count == 14 && text.hasPrefix("0092") {
            national = digits[4...]
        } else if digits.count == 12 && text.hasPrefix("92") {
            national = digits[2...]
        } else if digits.count == 11 && text.hasPrefix("0") {
            national = digits[1...]
        } else {
            throw invalid
        }
        guard national.first == UInt8(ascii: "3") else { throw invalid }
        e164 = "+92" + String(decoding: national, as: UTF8.self)
    }

    /// The 10-digit national significant number, `3XXXXXXXXX`.
    public var nationalNumber: String { String(e164.dropFirst(3)) }

    /// `0300-1234567`, the way Pakistanis write it.
    public var localFormat: String {
        let n = Array(nationalNumber)
        return "0" + String(n[0..<3]) + "-" + String(n[3...])
    }

    public var description: String { e164 }
}
