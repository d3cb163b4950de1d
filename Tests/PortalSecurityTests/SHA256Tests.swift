import ChildProcess
import Foundation
import Testing
@testable import PortalSecurity

@Suite struct SHA256Tests {
    /// FIPS 180-4 / NIST CAVP example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ("The quick brown fox jumps over the lazy dog",
         "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
    ])
    func nistVectors(message: String, digest: String) {
        #expect(SHA256.hex(SHA256.hash(Array(message.utf8))) == digest)
        #expect(SHA256.hex(SHA256.hash(message.utf8)) == digest)   // non-contiguous collection path
    }

    @Test func oneMillionA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))) == expected)
        // The same, streamed in awkward chunk sizes that straddle block boundaries.
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 997)
        var fed = 0
        while fed < 1_000_000 {
            let n = min(chunk.count, 1_000_000 - fed)
            hasher.update(chunk[0..<n])
            fed += n
        }
        #expect(SHA256.hex(hasher.finalize()) == expected)
    }

    @Test func incrementalMatchesOneShotAtEveryBoundary() {
        let data = SecureRandom.bytes(300)
        for split in 0...data.count {
            var hasher = SHA256()
            hasher.update(data[..<split])
            hasher.update(data[split...])
            #expect(hasher.finalize() == SHA256.hash(data), "split at \(split)")
        }
        // Lengths around the padding boundary (55, 56, 63, 64, 65 bytes) one byte at a time.
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128] {
            var hasher = SHA256()
            for byte in data[..<length] { hasher.update(CollectionOfOne(byte)) }
            #expect(hasher.finalize() == SHA256.hash(data[..<length]), "length \(length)")
        }
    }

    @Test func finalizeDoesNotDisturbTheStream() {
        var hasher = SHA256()
        hasher.update(Array("ab".utf8))
        _ = hasher.finalize()
        hasher.update(Array("c".utf8))
        #expect(SHA256.hex(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hexIsLowerCaseTwoDigitsPerByte() {
        #expect(SHA256.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(SHA256.hex([UInt8]()) == "")
    }

    /// Random inputs of assorted sizes against coreutils' sha256sum.
    @Test func matchesSha256sum() throws {
        for length in [1, 63, 64, 65, 1000, 4096, 100_003] {
            let data = SecureRandom.bytes(length)
            #expect(SHA256.hex(SHA256.hash(data)) == (try Self.sha256sum(data)), "length \(length)")
        }
    }

    static func sha256sum(_ data: [UInt8]) throws -> String {
        let run = try ChildProcess.runBlocking("/usr/bin/sha256sum", [], stdin: data)
        guard run.succeeded else { throw ChildProcess.Failure(description: "sha256sum: \(run.stderrText)") }
        return String(run.stdoutText.prefix(while: { $0 != " " }))
    }
}
