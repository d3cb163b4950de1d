/// An e-mail address of the pragmatic RFC 5321 shape that real mail systems deliver to:
/// `local@domain.tld`, ASCII only (no quoted local parts, IP literals or internationalised
/// names). Normalised by lower-casing the domain; the local part keeps its case.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The normalised address.
    public let address: String

    /// Maximum total length (RFC 5321 path limit minus the angle brackets).
    public static let maximumLength = 254

    private static let localSpecials = Set("!#$%&'*+/=?^_`{|}~-.".utf8)

    public init(_ text: String, field: String = "email") throws(ValidationError) {
        let input = InputText.trimmed(text)
        guard !input.isEmpty else { throw ValidationError(field: field, reason: "is required") }
        let bytes = Array(input.utf8)
        guard bytes.count <= Self.maximumLength else {
            throw ValidationError(field: field, reason: "must be at most \(Self.maximumLength) characters")
        }
        let invalid = ValidationError(field: field, reason: "must be an e-mail address such as name@example.com")
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")),
              bytes.lastIndex(of: UInt8(ascii: "@")) == at
        else { throw invalid }

        let local = bytes[..<at]
        guard (1...64).contains(local.count),
              local.allSatisfy({ Self.isAlphanumeric($0) || Self.localSpecials.contains($0) }),
              local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."),
              !Self.hasDoubleDot(local)
        else { throw invalid }

        let domain = bytes[(at + 1)...].map(Self.lowercased)
        guard (1...253).contains(domain.count) else { throw invalid }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw invalid }
        for label in labels {
            guard (1...63).contains(label.count),
                  label.allSatisfy({ Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }),
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { throw invalid }
        }
        guard let tld = labels.last, tld.count >= 2, tld.allSatisfy(Self.isLetter) else { throw invalid }

        address = String(decoding: local, as: UTF8.self) + "@" + String(decoding: domain, as: UTF8.self)
    }

    /// Validates an optional field: nil, empty or blank input gives nil, anything else must
    /// be a valid address.
    public static func optional(_ text: String?, field: String = "email") throws(ValidationError) -> EmailAddress? {
        guard let text, !InputText.trimmed(text).isEmpty else { return nil }
        return try EmailAddress(text, field: field)
    }

    public var description: String { address }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    private static func hasDoubleDot(_ bytes: ArraySlice<UInt8>) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") }
    }
}
