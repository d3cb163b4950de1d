import Testing
import PortalSecurity

@Suite struct PasswordPolicyTests {
    @Test(arguments: [
        "Peshawar#2026", "green tea 4 me", "abcdefg1", "پاسورڈ۱۲۳۴", "ZaRa-9-Khan",
        String(repeating: "x", count: 127) + "1",
    ])
    func accepts(password: String) throws {
        try PasswordPolicy.check(password)
    }

    @Test(arguments: [
        ("", "must be at least 8 characters"),
        ("abc1234", "must be at least 8 characters"),
        (String(repeating: "x", count: 128) + "1", "must be at most 128 characters"),
        ("abcdefgh", "must contain at least one letter and one digit"),
        ("12345678", "must contain at least one letter and one digit"),
        ("!!!!....", "must contain at least one letter and one digit"),
        ("Password1", "is too common; choose a less predictable password"),
        ("PAKISTAN123", "is too common; choose a less predictable password"),
        ("12345678a", "is too common; choose a less predictable password"),
        ("qwerty123", "is too common; choose a less predictable password"),
        ("tab\there1x", "must not contain control characters"),
        ("nul\u{0}byte1x", "must not contain control characters"),
        ("bidi\u{202E}trick1", "must not contain control characters"),
    ])
    func rejects(password: String, reason: String) {
        #expect(throws: ValidationError(field: "password", reason: reason)) { try PasswordPolicy.check(password) }
    }

    @Test func countsUnicodeScalarsNotBytes() throws {
        // Eight Urdu letters plus a digit: 9 scalars, 17 bytes.
        try PasswordPolicy.check("خیبرپختون1")
        #expect(throws: ValidationError.self) { try PasswordPolicy.check("پشاور1") }   // 6 scalars
    }

    @Test func refusesTheUsersOwnCNICAndMobile() throws {
        let cnic = try CNIC("17301-2345678-9")
        let mobile = try MobileNumber("0300-1234567")
        for password in ["1730123456789a", "x17301-2345678-9", "cnic1730123456789", "a03001234567",
                         "me+923001234567", "Call 0300 1234567"] {
            #expect(throws: ValidationError.self, "\(password)") {
                try PasswordPolicy.check(password, cnic: cnic, mobile: mobile)
            }
        }
        try PasswordPolicy.check("17301 is my area", cnic: cnic, mobile: mobile)
        try PasswordPolicy.check("a03001234567", cnic: cnic)   // someone else's mobile is fine here
    }
}

@Suite struct PersonNameTests {
    @Test(arguments: [
        ("Muhammad Ali Khan", "Muhammad Ali Khan"),
        ("  Zara   Bibi  ", "Zara Bibi"),
        ("O'Brien", "O'Brien"),
        ("Abdul-Rahman", "Abdul-Rahman"),
        ("M. Ali Jr.", "M. Ali Jr."),
        ("Al", "Al"),
        ("محمد علی خان", "محمد علی خان"),
        ("مُحَمَّد", "مُحَمَّد"),             // with harakat (combining marks)
        ("ملالہ یوسفزئی", "ملالہ یوسفزئی"),
        ("José Núñez", "José Núñez"),
        ("Ali\tKhan", "Ali Khan"),
    ])
    func accepts(input: String, normalised: String) throws {
        #expect(try PersonName(input).value == normalised)
    }

    @Test(arguments: [
        "", "   ", "A", "Ali123", "Ali_Khan", "Ali@Khan", "<b>Ali</b>", "Ali 😀", "-Ali", ".Ali",
        "'Ali", "Ali\u{202E}nahK", "Ali\u{0}Khan", "Robert'); DROP TABLE citizens;--",
        String(repeating: "a", count: 101),
    ])
    func rejects(input: String) {
        #expect(throws: ValidationError.self) { try PersonName(input) }
    }

    @Test func maximumLengthCountsCharacters() throws {
        #expect(try PersonName(String(repeating: "ب", count: 100)).value.count == 100)
    }
}

@Suite struct GeoPointTests {
    @Test func acceptsTheFullRange() throws {
        for (lat, lon) in [(0.0, 0.0), (-90.0, -180.0), (90.0, 180.0), (34.0151, 71.5249)] {
            let point = try GeoPoint(latitude: lat, longitude: lon)
            #expect(point.latitude == lat && point.longitude == lon)
        }
    }

    @Test func rejectsOutOfRangeAndNonFinite() {
        for (lat, lon) in [(90.0001, 0.0), (-91.0, 0.0), (0.0, 180.5), (0.0, -181.0),
                           (.nan, 0.0), (0.0, .nan), (.infinity, 0.0), (0.0, -.infinity)] {
            #expect(throws: ValidationError.self, "\(lat),\(lon)") { try GeoPoint(latitude: lat, longitude: lon) }
        }
    }

    @Test func pakistanBounds() throws {
        #expect(try GeoPoint(latitude: 34.0151, longitude: 71.5249).isInPakistanBounds)   // Peshawar
        #expect(try GeoPoint(latitude: 35.2227, longitude: 72.4258).isInPakistanBounds)   // Swat (Mingora)
        #expect(try GeoPoint(latitude: 24.8607, longitude: 67.0011).isInPakistanBounds)   // Karachi
        #expect(try !GeoPoint(latitude: 51.5072, longitude: -0.1276).isInPakistanBounds)  // London
        #expect(try !GeoPoint(latitude: 0, longitude: 0).isInPakistanBounds)
        #expect(!GeoPoint.isInPakistanBounds(latitude: 23.4, longitude: 70))
        #expect(!GeoPoint.isInPakistanBounds(latitude: 30, longitude: 78.0))
    }
}
