import Testing
@testable import PortalWire

/// The optimised varint, packed-run and UTF-8 paths against plain reference code, on seeded
/// random and malformed input: same values, same errors, same bytes.
@Suite struct FastPathEquivalenceTests {
    /// A deterministic generator (SplitMix64), so failures reproduce.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Values of every varint length, not just huge ones.
        mutating func varintValue() -> UInt64 { next() >> (next() % 64) }
    }

    /// The textbook decoder: seven bits at a time.
    static func referenceVarint(_ bytes: [UInt8], _ at: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while at < bytes.count && shift < 70 {
            let b = bytes[at]
            at += 1
            result |= UInt64(b & 0x7F) &<< shift
            if b < 0x80 { return result }
            shift += 7
        }
        return nil
    }

    static func referenceEncode(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var x = v
        while x >= 0x80 { out.append(UInt8(truncatingIfNeeded: x) | 0x80); x >>= 7 }
        out.append(UInt8(x))
        return out
    }

    /// Runs `body` on a reader over `bytes`, returning its result or its typed error.
    func reading<T>(_ bytes: [UInt8], _ body: (inout ProtoReader) throws(ProtoDecodingError) -> T) -> Result<T, ProtoDecodingError> {
        bytes.withUnsafeBytes { raw in
            var r = ProtoReader(raw)
            do throws(ProtoDecodingError) {
                return .success(try body(&r))
            } catch {
                return .failure(error)
            }
        }
    }

    func encodeWithWriter(_ values: [UInt64]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: values.count * 10 + 16) { buffer, count in
            var w = ProtoWriter(start: UnsafeMutableRawPointer(buffer.baseAddress!), cache: SizeCache())
            for v in values { w.writeVarint(v) }
            count = w.position - UnsafeMutableRawPointer(buffer.baseAddress!)
        }
    }

    @Test func varintsMatchTheReference() throws {
        var rng = Rng(state: 42)
        for _ in 0..<200 {
            let values = (0..<Int(rng.next() % 40)).map { _ in rng.varintValue() }
            let bytes = encodeWithWriter(values)
            #expect(bytes == values.flatMap(Self.referenceEncode))
            // Read back one at a time with the fast reader, in buffers with and without slack.
            let decoded = reading(bytes) { r throws(ProtoDecodingError) in
                var out: [UInt64] = []
                while !r.isAtEnd { out.append(try r.readVarint()) }
                return out
            }
            #expect(try decoded.get() == values)
        }
    }

    @Test func truncatedAndOverlongVarintsFailLikeTheReference() {
        var rng = Rng(state: 7)
        for _ in 0..<2000 {
            let length = Int(rng.next() % 14)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) | (rng.next() % 3 == 0 ? 0 : 0x80) }
            var at = 0
            let expected = Self.referenceVarint(bytes, &at)
            let actual = try? reading(bytes) { r throws(ProtoDecodingError) in try r.readVarint() }.get()
            #expect(actual == expected, "\(bytes)")
        }
    }

    @Test func packedRunsMatchElementWiseDecoding() throws {
        var rng = Rng(state: 99)
        for _ in 0..<200 {
            let count = Int(rng.next() % 300)
            let values = (0..<count).map { _ in rng.varintValue() }
            let payload = values.flatMap(Self.referenceEncode)
            let framed = Self.referenceEncode(UInt64(payload.count)) + payload
            let out = reading(framed) { r throws(ProtoDecodingError) -> [UInt64] in
                var out: [UInt64] = []
                try r.readPackedVarints(into: &out) { $0 }
                return r.isAtEnd ? out : []
            }
            #expect(try out.get() == values)
            let int32s = reading(framed) { r throws(ProtoDecodingError) -> [Int32] in
                var out: [Int32] = []
                try r.readPackedVarints(into: &out) { Int32(truncatingIfNeeded: $0) }
                return out
            }
            #expect(try int32s.get() == values.map { Int32(truncatingIfNeeded: $0) })
            // Cut the run short: the decoder must fail, never read past the declared length.
            if payload.count > 1 {
                var cut = payload
                cut[cut.count - 1] |= 0x80  // last varint now runs past the end of the run
                let bad = Self.referenceEncode(UInt64(cut.count)) + cut + [0x01]
                let result = reading(bad) { r throws(ProtoDecodingError) -> Int in
                    var sink: [UInt64] = []
                    try r.readPackedVarints(into: &sink) { $0 }
                    return sink.count
                }
                if case .success(let n) = result { Issue.record("a run cut short decoded \(n) values") }
            }
        }
    }

    @Test func utf8ValidationMatchesTheStandardLibrary() {
        var rng = Rng(state: 2026)
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 12)
            let bytes = (0..<length).map { _ in
                rng.next() % 2 == 0 ? interesting[Int(rng.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: rng.next())
            }
            let ours = bytes.withUnsafeBytes { UTF8Validation.makeString($0) }
            let stdlib = String(validating: bytes, as: UTF8.self)
            #expect(ours == stdlib, "\(bytes)")
            if let ours { #expect(Array(ours.utf8) == bytes) }
        }
    }
}
