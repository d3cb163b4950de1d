import Testing
@testable import PortalWire

/// Byte-level vectors from the protobuf encoding spec, written and read back.
@Suite struct VarintTests {
    func encode(_ body: (inout ProtoWriter) -> Void, size: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var writer = ProtoWriter(start: UnsafeMutableRawPointer(buffer.baseAddress!), cache: SizeCache())
            body(&writer)
            count = writer.position - UnsafeMutableRawPointer(buffer.baseAddress!)
        }
    }

    func decode<T>(_ bytes: [UInt8], _ body: (inout ProtoReader) throws(ProtoDecodingError) -> T) throws -> T {
        try bytes.withUnsafeBytes { raw in
            var reader = ProtoReader(raw)
            let value = try body(&reader)
            #expect(reader.isAtEnd)
            return value
        }
    }

    static let vectors: [(UInt64, [UInt8])] = [
        (0, [0x00]),
        (1, [0x01]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (300, [0xAC, 0x02]),
        (16_384, [0x80, 0x80, 0x01]),
        (UInt64(UInt32.max), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: vectors)
    func varintVectors(value: UInt64, bytes: [UInt8]) throws {
        #expect(encode({ $0.writeVarint(value) }, size: 10) == bytes)
        #expect(ProtoSize.varint(value) == bytes.count)
        #expect(try decode(bytes) { r throws(ProtoDecodingError) in try r.readVarint() } == value)
    }

    @Test func sizeMatchesWriterForEveryBitLength() {
        for bits in 0...64 {
            let value: UInt64 = bits == 0 ? 0 : (UInt64.max >> (64 - bits))
            #expect(encode({ $0.writeVarint(value) }, size: 10).count == ProtoSize.varint(value), "bits \(bits)")
        }
    }

    @Test func negativeInt32IsTenBytesSignExtended() throws {
        let bytes = encode({ $0.writeInt32(-1) }, size: 10)
        #expect(bytes == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(ProtoSize.int32(-1) == 10)
        #expect(try decode(bytes) { r throws(ProtoDecodingError) in try r.readInt32() } == -1)
    }

    @Test func int32TruncatesWideVarints() throws {
        // A 64-bit varint read as int32 keeps the low 32 bits, as protobuf specifies.
        let bytes: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x10]  // 2^32
        #expect(try decode(bytes) { r throws(ProtoDecodingError) in try r.readInt32() } == 0)
    }

    static let zigZagVectors: [(Int32, UInt32)] = [
        (0, 0), (-1, 1), (1, 2), (-2, 3), (Int32.max, 0xFFFF_FFFE), (Int32.min, 0xFFFF_FFFF),
    ]

    @Test(arguments: zigZagVectors)
    func zigZag32(value: Int32, encoded: UInt32) {
        #expect(ZigZag.encode32(value) == encoded)
        #expect(ZigZag.decode32(encoded) == value)
    }

    @Test func zigZag64Extremes() {
        #expect(ZigZag.encode64(Int64.min) == UInt64.max)
        #expect(ZigZag.encode64(Int64.max) == UInt64.max - 1)
        for v: Int64 in [0, -1, 1, Int64.min, Int64.max, -123_456_789_012] {
            #expect(ZigZag.decode64(ZigZag.encode64(v)) == v)
        }
    }

    @Test func fixedWidthIsLittleEndian() throws {
        let bytes = encode({ $0.writeFixed32(0x0102_0304); $0.writeFixed64(0x0102_0304_0506_0708) }, size: 12)
        #expect(bytes == [4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1])
        let (a, b) = try decode(bytes) { r throws(ProtoDecodingError) in (try r.readFixed32(), try r.readFixed64()) }
        #expect(a == 0x0102_0304 && b == 0x0102_0304_0506_0708)
    }

    @Test func floatsKeepTheirBitPatterns() throws {
        let bytes = encode({ $0.writeDouble(-0.0); $0.writeFloat(.nan) }, size: 12)
        let (d, f) = try decode(bytes) { r throws(ProtoDecodingError) in (try r.readDouble(), try r.readFloat()) }
        #expect(d.bitPattern == (-0.0 as Double).bitPattern)
        #expect(f.isNaN)
    }
}
