import Testing
@testable import PortalWire

/// Every malformed input gets its typed error; nothing crashes and nothing is half-read.
@Suite struct DecodingErrorTests {
    /// Reads fields until the end, keeping all of them as unknown fields.
    func skipAll(_ bytes: [UInt8]) throws(ProtoDecodingError) -> UnknownFields {
        var unknown = UnknownFields()
        var failure: ProtoDecodingError?
        bytes.withUnsafeBytes { raw in
            var reader = ProtoReader(raw)
            do throws(ProtoDecodingError) {
                while !reader.isAtEnd {
                    let start = reader.position
                    let tag = try reader.readTag()
                    try reader.skipUnknown(tag, from: start, into: &unknown)
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return unknown
    }

    static let malformed: [([UInt8], ProtoDecodingError)] = [
        ([0x08], .truncated),                  // key without value
        ([0x08, 0x80], .truncated),                                           // varint cut short
        ([0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01], .malformedVarint),  // 11-byte varint
        ([0x00, 0x01], .fieldNumberZero),
        ([0x0E], .invalidWireType(6)),
        ([0x0F], .invalidWireType(7)),
        ([0x80, 0x80, 0x80, 0x80, 0x10], .malformedVarint),                   // key wider than 32 bits
        ([0x0A, 0x05, 0x61], .truncated),                                     // length past the end
        ([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], .lengthOverflow),              // length > 2 GiB
        ([0x09, 0x01, 0x02], .truncated),                                     // fixed64 cut short
        ([0x0D, 0x01], .truncated),                                           // fixed32 cut short
        ([0x0B, 0x08, 0x01], .truncated),                                     // group never ended
        ([0x0B, 0x14], .mismatchedGroup),                                     // start 1, end 2
        ([0x0C], .mismatchedGroup),                                           // end group alone
    ]

    @Test(arguments: malformed)
    func malformedInput(bytes: [UInt8], expected: ProtoDecodingError) {
        #expect(throws: expected) { try skipAll(bytes) }
    }

    @Test func unknownFieldsAreKeptByteForByte() throws {
        let bytes: [UInt8] = [
            0x08, 0x96, 0x01,                    // 1: varint 150
            0x11, 1, 2, 3, 4, 5, 6, 7, 8,        // 2: fixed64
            0x1A, 0x03, 0x61, 0x62, 0x63,        // 3: "abc"
            0x23, 0x08, 0x01, 0x24,              // 4: group { 1: 1 }
            0x2D, 9, 9, 9, 9,                    // 5: fixed32
        ]
        #expect(try skipAll(bytes).bytes == bytes)
    }

    @Test func groupsNestDeeperThanTheLimitAreRejected() {
        let depth = ProtoReader.maxDepth + 1
        let bytes = [UInt8](repeating: 0x0B, count: depth) + [UInt8](repeating: 0x0C, count: depth)
        #expect(throws: ProtoDecodingError.nestingTooDeep) { try skipAll(bytes) }
        let ok = [UInt8](repeating: 0x0B, count: depth - 1) + [UInt8](repeating: 0x0C, count: depth - 1)
        #expect(throws: Never.self) { try skipAll(ok) }
    }

    @Test(arguments: [
        [0xC0, 0x80] as [UInt8],            // overlong NUL
        [0xE0, 0x80, 0xAF],                 // overlong '/'
        [0xED, 0xA0, 0x80],                 // UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],           // past U+10FFFF
        [0x61, 0xFF],                       // invalid byte
        [0xE2, 0x82],                       // truncated sequence
    ])
    func invalidUTF8IsRejected(payload: [UInt8]) {
        let bytes: [UInt8] = [0x0A, UInt8(payload.count)] + payload
        #expect(throws: ProtoDecodingError.invalidUTF8(fieldNumber: 1)) {
            try bytes.withUnsafeBytes { raw throws(ProtoDecodingError) in
                var reader = ProtoReader(raw)
                _ = try reader.readTag()
                return try reader.readString(fieldNumber: 1)
            }
        }
    }

    @Test func validUTF8Decodes() throws {
        let text = "Khyber پختونخوا 🇵🇰 \u{0}"
        let utf8 = Array(text.utf8)
        let decoded = try ([0x0A, UInt8(utf8.count)] + utf8).withUnsafeBytes { raw throws(ProtoDecodingError) in
            var reader = ProtoReader(raw)
            _ = try reader.readTag()
            return try reader.readString(fieldNumber: 1)
        }
        #expect(decoded == text)
    }

    @Test func errorsDescribeThemselves() {
        #expect(ProtoDecodingError.invalidUTF8(fieldNumber: 7).description == "invalid UTF-8 in string field 7")
        #expect(ProtoDecodingError.nestingTooDeep.description.contains("100"))
    }
}
