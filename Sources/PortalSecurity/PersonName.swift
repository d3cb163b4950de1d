/// A person's name in any script (Urdu, Pashto, English, …): letters with their combining
/// marks, single spaces, dots, hyphens and apostrophes. Digits, symbols, emoji, control and
/// bidirectional-override characters are refused (they can disguise a name on screen).
///
/// Normalised by trimming and collapsing runs of white space to one space.
public struct PersonName: Sendable, Hashable, CustomStringConvertible {
    public static let minimumLength = 2
    public static let maximumLength = 100

    /// The normalised name.
    public let value: String

    public init(_ text: String, field: String = "name") throws(ValidationError) {
        let trimmed = InputText.trimmed(text)
        guard !trimmed.isEmpty else { throw ValidationError(field: field, reason: "is required") }

        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        var letters = 0
        for scalar in trimmed.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = true
                continue
            }
            if pendingSpace {
                scalars.append(" ")
                pendingSpace = false
            }
            switch Self.kind(of: scalar) {
            case .letter:
                letters += 1
            case .mark, .joiner:
                // Combining marks and ZWNJ only after a letter (or another mark).
                guard let last = scalars.last, Self.kind(of: last) != .punctuation, last != " " else {
                    throw ValidationError(field: field, reason: "must start each word with a letter")
                }
            case .punctuation:
                break
            case .other:
                throw ValidationError(
                    field: field, reason: "may contain only letters, spaces, dots, hyphens and apostrophes")
            }
            scalars.append(scalar)
        }
        guard let first = scalars.first, Self.kind(of: first) == .letter else {
            throw ValidationError(field: field, reason: "must start with a letter")
        }
        let name = String(scalars)
        guard name.count >= Self.minimumLength, letters >= 1 else {
            throw ValidationError(field: field, reason: "must be at least \(Self.minimumLength) characters")
        }
        guard name.count <= Self.maximumLength else {
            throw ValidationError(field: field, reason: "must be at most \(Self.maximumLength) characters")
        }
        value = name
    }

    public var description: String { value }

    private enum Kind { case letter, mark, joiner, punctuation, other }

    private static func kind(of scalar: Unicode.Scalar) -> Kind {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .nonspacingMark, .spacingMark:
            return .mark
        default:
            break
        }
        switch scalar.value {
        case 0x200C:                                   // ZERO WIDTH NON-JOINER (Urdu/Persian)
            return .joiner
        case 0x2E, 0x2D, 0x27, 0x2010, 0x2019, 0x02BC:  // . - ' ‐ ’ ʼ
            return .punctuation
        default:
            return .other
        }
    }
}
