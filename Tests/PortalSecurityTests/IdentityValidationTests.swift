import Testing
import PortalSecurity

@Suite struct CNICTests {
    @Test(arguments: [
        ("12345-1234567-1", "1234512345671"),
        ("1234512345671", "1234512345671"),
        ("  17301-2345678-9 \n", "1730123456789"),
        ("۱۷۳۰۱-۲۳۴۵۶۷۸-۹", "1730123456789"),      // Urdu keyboard digits
        ("00000-0000000-1", "0000000000001"),
    ])
    func accepts(input: String, normalised: String) throws {
        let cnic = try CNIC(input)
        #expect(cnic.digits == normalised)
    }

    @Test(arguments: [
        "", "   ", "123451234567", "12345123456712", "1234-51234567-1", "123451-234567-1",
        "12345-123456-71", "12345--1234567-1", "-12345-1234567-1", "12345-1234567-1-",
        "12345-12345671", "123451234567-1", "12345 1234567 1", "12345-1234567-X", "12345_1234567_1",
        "00000-0000000-0", "0000000000000", "١٢٣٤٥١٢٣٤٥٦٧١x", "12345.1234567.1", "+1234512345671",
    ])
    func rejects(input: String) {
        #expect(throws: ValidationError.self) { try CNIC(input) }
    }

    @Test func errorNamesTheFieldNotTheValue() {
        do {
            _ = try CNIC("98765-43210-99", field: "officer_cnic")
            Issue.record("accepted a malformed CNIC")
        } catch {
            #expect(error.field == "officer_cnic")
            #expect(error.description.hasPrefix("officer_cnic: "))
            #expect(!error.description.contains("98765"))
        }
    }

    @Test func formatsWithDashes() throws {
        #expect(try CNIC("1730123456789").formatted == "17301-2345678-9")
    }
}

@Suite struct MobileNumberTests {
    @Test(arguments: [
        ("03001234567", "+923001234567"),
        ("0300-1234567", "+923001234567"),
        ("0300 1234567", "+923001234567"),
        ("0300 123 4567", "+923001234567"),
        ("+923001234567", "+923001234567"),
        ("+92 300 1234567", "+923001234567"),
        ("+92-300-1234567", "+923001234567"),
        ("923451234567", "+923451234567"),
        ("92 345 1234567", "+923451234567"),
        ("00923331234567", "+923331234567"),
        ("0092 333 1234567", "+923331234567"),
        (" 0312-7654321 ", "+923127654321"),
        ("۰۳۰۰۱۲۳۴۵۶۷", "+923001234567"),
    ])
    func accepts(input: String, normalised: String) throws {
        #expect(try MobileNumber(input).e164 == normalised)
    }

    @Test(arguments: [
        "", "0300123456", "030012345678", "0900-1234567", "0512345678", "05123456789",  // landline
        "+92 51 1234567", "+9230012345678", "+930012345678", "+1 300 1234567", "3001234567",
        "92 300 12345678", "0093 300 1234567", "0300--1234567", "0300 - 1234567", "-03001234567",
        "03001234567-", "+ 923001234567", "0300+1234567", "(0300) 1234567", "0300.1234567",
        "0300-123456a", "++923001234567", "+0923001234567", "9203001234567",
    ])
    func rejects(input: String) {
        #expect(throws: ValidationError.self) { try MobileNumber(input) }
    }

    @Test func formats() throws {
        let mobile = try MobileNumber("+92 300 1234567")
        #expect(mobile.nationalNumber == "3001234567")
        #expect(mobile.localFormat == "0300-1234567")
    }
}

@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("ali.khan@example.com", "ali.khan@example.com"),
        ("Ali.Khan@Example.COM", "Ali.Khan@example.com"),
        ("  user+tag@mail.kp.gov.pk ", "user+tag@mail.kp.gov.pk"),
        ("a@b.co", "a@b.co"),
        ("first_last-1@sub-domain.example.org", "first_last-1@sub-domain.example.org"),
        ("o'neil@example.ie", "o'neil@example.ie"),
        ("x@xn--mgbai9azgqp6j.pk", "x@xn--mgbai9azgqp6j.pk"),
    ])
    func accepts(input: String, normalised: String) throws {
        #expect(try EmailAddress(input).address == normalised)
    }

    @Test(arguments: [
        "", "plainaddress", "@example.com", "user@", "user@@example.com", "a@b@example.com",
        "user@example", "user@example.c", "user@example.123", "user@-example.com", "user@example-.com",
        "user@exa_mple.com", "user@example..com", "user@.example.com", "user@example.com.",
        ".user@example.com", "user.@example.com", "us..er@example.com", "user name@example.com",
        "user@exam ple.com", "علی@example.com", "user@مثال.پاکستان", "\"quoted\"@example.com",
        "user@[127.0.0.1]", "user<script>@example.com",
    ])
    func rejects(input: String) {
        #expect(throws: ValidationError.self) { try EmailAddress(input) }
    }

    @Test func lengthLimits() throws {
        let local64 = String(repeating: "a", count: 64)
        #expect(try EmailAddress("\(local64)@example.com").address.hasPrefix(local64))
        #expect(throws: ValidationError.self) { try EmailAddress("a\(local64)@example.com") }
        let label63 = String(repeating: "b", count: 63)
        #expect(throws: ValidationError.self) { try EmailAddress("a@\(label63)b.com") }
        // 254 characters is the most accepted; 255 is refused.
        let domain = [label63, label63, label63, String(repeating: "c", count: 54), "pk"].joined(separator: ".")
        #expect(domain.count == 249)
        #expect(try EmailAddress("abcd@\(domain)").address.count == 254)
        #expect(throws: ValidationError.self) { try EmailAddress("abcde@\(domain)") }
    }

    @Test func optionalField() throws {
        #expect(try EmailAddress.optional(nil) == nil)
        #expect(try EmailAddress.optional("") == nil)
        #expect(try EmailAddress.optional("   ") == nil)
        #expect(try EmailAddress.optional("a@example.com")?.address == "a@example.com")
        #expect(throws: ValidationError(field: "email", reason: "must be an e-mail address such as name@example.com")) {
            try EmailAddress.optional("not-an-email")
        }
    }
}
