/// The portal's rules for a new password. Check before hashing; never on login (a policy
/// change must not lock anyone out).
///
/// - 8 to 128 characters, counted as Unicode scalars (what the user typed, in any script);
/// - at least one letter and one digit;
/// - no control characters (which also keeps NUL away from the C hashing library);
/// - not the user's CNIC or mobile number, nor containing them;
/// - not one of the handful of passwords that credential-stuffing lists try first.
public enum PasswordPolicy {
    public static let minimumLength = 8
    public static let maximumLength = 128

    /// Throws the first rule `password` breaks. Pass the account's CNIC and mobile when known.
    public static func check(
        _ password: String, cnic: CNIC? = nil, mobile: MobileNumber? = nil, field: String = "password"
    ) throws(ValidationError) {
        let scalars = password.unicodeScalars
        var count = 0
        var hasLetter = false
        var hasDigit = false
        var digits: [UInt8] = []   // the password's digits in order, for the CNIC/mobile rule
        for scalar in scalars {
            count += 1
            let category = scalar.properties.generalCategory
            // Format characters (bidi overrides and the like) are invisible; ZWNJ and ZWJ are
            // the exception because Urdu and Persian keyboards type them.
            if category == .control || (category == .format && scalar.value != 0x200C && scalar.value != 0x200D) {
                throw ValidationError(field: field, reason: "must not contain control characters")
            }
            if scalar.properties.isAlphabetic { hasLetter = true }
            if let value = InputText.digitValue(scalar) {
                hasDigit = true
                digits.append(UInt8(ascii: "0") + value)
            } else if scalar.properties.numericType == .decimal {
                hasDigit = true
            }
        }
        guard count >= minimumLength else {
            throw ValidationError(field: field, reason: "must be at least \(minimumLength) characters")
        }
        guard count <= maximumLength else {
            throw ValidationError(field: field, reason: "must be at most \(maximumLength) characters")
        }
        guard hasLetter, hasDigit else {
            throw ValidationError(field: field, reason: "must contain at least one letter and one digit")
        }
        let digitText = String(decoding: digits, as: UTF8.self)
        if let cnic, digitText.contains(cnic.digits) {
            throw ValidationError(field: field, reason: "must not contain your CNIC number")
        }
        if let mobile, digitText.contains(mobile.nationalNumber) {
            throw ValidationError(field: field, reason: "must not contain your mobile number")
        }
        if commonPasswords.contains(password.lowercased()) {
            throw ValidationError(field: field, reason: "is too common; choose a less predictable password")
        }
    }

    /// Passwords that meet the other rules yet top every leaked-password list, plus the local
    /// favourites (compared case-insensitively).
    static let commonPasswords: Set<String> = [
        "password1", "password12", "password123", "password1234", "passw0rd", "p@ssw0rd", "p@ssword1",
        "pass1234", "pass12345", "12345678a", "123456789a", "a12345678", "a1234567", "1234567a",
        "abc12345", "abcd1234", "abc123456", "qwerty123", "qwerty12", "qwerty1234", "1q2w3e4r",
        "1q2w3e4r5t", "1qaz2wsx", "zaq12wsx", "asdf1234", "asdfgh123", "iloveyou1", "welcome1",
        "welcome123", "letmein1", "admin123", "admin1234", "test1234", "trustno1", "football1",
        "pakistan1", "pakistan12", "pakistan123", "pakistan786", "pakistan1947", "pakistani1",
        "786786786a", "allah786", "bismillah786", "muhammad786", "islam786", "khyber123",
        "peshawar123", "peshawar1", "karachi123", "lahore123", "islamabad123", "cricket123",
    ]
}
