import Testing
@testable import PortalSecurity

@Suite struct SecureRandomTests {
    static let base64URLAlphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    @Test func bytesHaveTheRequestedLengthAndDiffer() {
        #expect(SecureRandom.bytes(0).isEmpty)
        let a = SecureRandom.bytes(32)
        let b = SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
        // A large request crosses getrandom's per-call limits on some kernels and loops.
        let big = SecureRandom.bytes(1 << 20)
        #expect(big.count == 1 << 20)
        #expect(Set(big).count == 256)
    }

    @Test func tokenIsUnpaddedBase64URL() {
        let token = SecureRandom.token()
        #expect(token.count == 43)   // 32 bytes
        #expect(token.allSatisfy { Self.base64URLAlphabet.contains($0) })
        #expect(SecureRandom.token(bytes: 16).count == 22)
        #expect(SecureRandom.token(bytes: 1).count == 2)
        #expect(SecureRandom.token() != SecureRandom.token())
        let many = (0..<1000).map { _ in SecureRandom.token() }
        #expect(Set(many).count == 1000)
    }

    @Test func base64URLMatchesRFC4648Vectors() {
        // RFC 4648 §10 vectors, without padding and with the URL alphabet.
        let vectors: [(String, String)] = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        }
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")   // '+' and '/' replaced
    }

    @Test func digitsAreDigitsOfTheRightLength() {
        for count in [1, 4, 6, 8, 40] {
            let code = SecureRandom.digits(count)
            #expect(code.count == count)
            #expect(code.allSatisfy { $0.isASCII && $0.isNumber })
        }
    }

    @Test func digitsAreRoughlyUniform() {
        // 60,000 digits: each digit's count has mean 6,000 and standard deviation ~73.
        // The bounds below are over 10 sigma away: a failure means a real bias, not bad luck.
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 {
            for ch in SecureRandom.digits(6).utf8 { counts[Int(ch - UInt8(ascii: "0"))] += 1 }
        }
        #expect(counts.allSatisfy { $0 > 5_200 && $0 < 6_800 }, "\(counts)")
        // Leading zeros are kept (a 6-digit OTP starting with 0 is still 6 digits).
        let codes = (0..<2_000).map { _ in SecureRandom.digits(6) }
        #expect(codes.contains { $0.hasPrefix("0") })
    }

    @Test func uniformStaysInRange() {
        var seen = Set<UInt64>()
        for _ in 0..<2_000 {
            let value = SecureRandom.uniform(below: 7)
            #expect(value < 7)
            seen.insert(value)
        }
        #expect(seen.count == 7)
        #expect(SecureRandom.uniform(below: 1) == 0)
    }
}

@Suite struct ConstantTimeTests {
    @Test func equalsComparesContentAndLength() {
        #expect(ConstantTime.equals([], []))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([0, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([], [0]))
        #expect(ConstantTime.equals("123456", "123456"))
        #expect(!ConstantTime.equals("123456", "123457"))
        #expect(!ConstantTime.equals("é", "e\u{301}"))   // bytes, not canonical equivalence
    }
}
