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

    /// Decodes `bytes` value by value with the textbook decoder, as a packed run would be:
    /// the values before the first bad one, and whether one was bad.
    static func referencePackedRun(_ payload: [UInt8]) -> (values: [UInt64], failed: Bool) {
        var at = 0
        var out: [UInt64] = []
        while at < payload.count {
            guard let v = referenceVarint(payload, &at) else { return (out, true) }
            out.append(v)
        }
        return (out, false)
    }

    /// Random packed payloads of every shape the 32-bit decoder has to get right: long runs
    /// (so whole 64-byte blocks are decoded), varints of 6 to 10 bytes, overlong ones (11+
    /// bytes, in the middle of a block or across a block boundary) and a truncated last one.
    static func packedPayload(_ rng: inout Rng) -> [UInt8] {
        var payload: [UInt8] = []
        let count = Int(rng.next() % 400)
        for _ in 0..<count {
            switch rng.next() % 40 {
            case 0:
                // An overlong varint: 11 to 20 continuation bytes, then an end byte.
                payload += (0..<(11 + Int(rng.next() % 10))).map { _ in UInt8(truncatingIfNeeded: rng.next()) | 0x80 }
                payload.append(UInt8(truncatingIfNeeded: rng.next()) & 0x7F)
            case 1...4:
                // Sign-extended negative int32s: ten bytes.
                payload += referenceEncode(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: rng.next()) | Int32.min)))
            default:
                payload += referenceEncode(rng.varintValue())
            }
        }
        if rng.next() % 8 == 0 && !payload.isEmpty { payload[payload.count - 1] |= 0x80 }  // truncated
        return payload
    }

    @Test func packed32BitRunsMatchElementWiseDecoding() {
        var rng = Rng(state: 3232)
        for round in 0..<3000 {
            // Mostly well-formed long runs; every fourth round with malformed varints.
            var payload: [UInt8]
            if round % 4 == 0 {
                payload = Self.packedPayload(&rng)
            } else {
                payload = (0..<Int(rng.next() % 500)).flatMap { _ in
                    rng.next() % 8 == 0 ? Self.referenceEncode(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: rng.next()))))
                        : Self.referenceEncode(rng.varintValue())
                }
            }
            let (expected, failed) = Self.referencePackedRun(payload)
            let framed = Self.referenceEncode(UInt64(payload.count)) + payload
            let existing: [Int32] = round % 3 == 0 ? [7, -7] : []
            let result = reading(framed) { r throws(ProtoDecodingError) -> [Int32] in
                var out = existing
                try r.readPackedVarints32(into: &out) { Int32(bitPattern: $0) }
                #expect(r.isAtEnd)
                return out
            }
            switch result {
            case .success(let values):
                #expect(!failed, "round \(round): malformed run decoded")
                #expect(values == existing + expected.map { Int32(truncatingIfNeeded: $0) }, "round \(round)")
            case .failure:
                #expect(failed, "round \(round): well-formed run rejected")
            }
            // The values before the malformed one are kept, as with the 64-bit reader.
            if failed {
                let partial32: [Int32] = framed.withUnsafeBytes { raw in
                    var r = ProtoReader(raw)
                    var out: [Int32] = []
                    _ = try? r.readPackedVarints32(into: &out) { Int32(bitPattern: $0) }
                    return out
                }
                let partial64: [UInt64] = framed.withUnsafeBytes { raw in
                    var r = ProtoReader(raw)
                    var out: [UInt64] = []
                    _ = try? r.readPackedVarints(into: &out) { $0 }
                    return out
                }
                #expect(partial32 == partial64.map { Int32(truncatingIfNeeded: $0) }, "round \(round)")
                #expect(partial64 == expected, "round \(round)")
            }
            // Same count as the simple end-byte count.
            let ends = payload.reduce(0) { $0 + ($1 < 0x80 ? 1 : 0) }
            #expect(payload.withUnsafeBytes { ProtoReader.countVarintEnds($0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, $0.count) } == ends)
        }
    }

    /// What a value-by-value writer produces for a packed run.
    static func referencePacked32(_ values: [UInt32], signExtended: Bool) -> [UInt8] {
        values.flatMap { referenceEncode(signExtended ? UInt64(bitPattern: Int64(Int32(bitPattern: $0))) : UInt64($0)) }
    }

    @Test func packed32BitWritersMatchTheReference() {
        var rng = Rng(state: 6464)
        for round in 0..<3000 {
            // Lengths around the 4-value groups and 128-value chunks, values of every length.
            let count = round % 10 == 0 ? Int(rng.next() % 700) : Int(rng.next() % 40)
            let values: [UInt32] = (0..<count).map { _ in
                switch rng.next() % 6 {
                case 0: return UInt32(truncatingIfNeeded: rng.next())
                case 1: return UInt32(truncatingIfNeeded: rng.next()) | 0x8000_0000
                default: return UInt32(truncatingIfNeeded: rng.next() >> (32 + rng.next() % 32))
                }
            }
            for signExtended in [true, false] {
                let expected = Self.referencePacked32(values, signExtended: signExtended)
                var cache = SizeCache()
                cache.record(expected.count)
                let written = [UInt8](unsafeUninitializedCapacity: expected.count + 5) { buffer, n in
                    var w = ProtoWriter(start: UnsafeMutableRawPointer(buffer.baseAddress!), cache: cache)
                    if signExtended {
                        w.writePackedInt32Varints(values) { Int32(bitPattern: $0) }
                    } else {
                        w.writePackedUInt32Varints(values) { $0 }
                    }
                    n = w.position - UnsafeMutableRawPointer(buffer.baseAddress!)
                }
                #expect(written == Self.referenceEncode(UInt64(expected.count)) + expected, "round \(round) signExtended \(signExtended)")
                if signExtended {
                    #expect(ProtoSize.packedInt32(values.map { Int32(bitPattern: $0) }) == expected.count)
                    #expect(ProtoSize.packedInt32(values) { Int32(bitPattern: $0) } == expected.count)
                } else {
                    #expect(ProtoSize.packedUInt32(values) == expected.count)
                }
            }
        }
    }

    /// `lengthDelimitedRunCount` as it was before its one-load-per-field fast path: every
    /// length read by `readLength`, every key by `consumeKey`.
    static func referenceRunCount(_ r: ProtoReader, key: UInt32) -> Int {
        var probe = r
        var count = 0
        while true {
            guard let length = try? probe.readLength() else { return count }
            probe.cursor += length
            count &+= 1
            guard probe.consumeKey(key) else { return count }
        }
    }

    @Test func runCountsMatchTheReference() {
        var rng = Rng(state: 4242)
        for round in 0..<4000 {
            // Keys of one, two and three bytes; lengths mostly short, some of two or three
            // bytes; occasionally a foreign key, a non-canonical key, or a cut at a random byte.
            let key: UInt32 = [UInt32(10), 354, 0x3FFA, 0x4002, 0x7A][round % 5]
            let keyBytes = Self.referenceEncode(UInt64(key))
            var bytes: [UInt8] = []
            let records = Int(rng.next() % 40)
            for i in 0..<records {
                if i > 0 {
                    switch rng.next() % 50 {
                    case 0: bytes += Self.referenceEncode(UInt64(key &+ 8))       // another field
                    case 1: bytes += [keyBytes[0] | 0x80] + keyBytes.dropFirst() + [0x00]  // non-canonical key
                    default: bytes += keyBytes
                    }
                }
                let length = rng.next() % 10 == 0 ? Int(rng.next() % 400) : Int(rng.next() % 20)
                bytes += Self.referenceEncode(UInt64(length))
                bytes += (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            if rng.next() % 3 == 0 && !bytes.isEmpty { bytes.removeLast(Int(rng.next() % UInt64(min(bytes.count, 30)))) }
            bytes.withUnsafeBytes { raw in
                let r = ProtoReader(raw)
                #expect(r.lengthDelimitedRunCount(key: key) == Self.referenceRunCount(r, key: key), "round \(round): \(bytes)")
            }
        }
    }

    @Test func repeatedStringRunsMatchElementWiseDecoding() {
        var rng = Rng(state: 5150)
        let key: UInt32 = 354  // field 44, wire type 2: a two-byte key
        for round in 0..<2000 {
            // A run of strings, some invalid UTF-8, some followed by another field.
            var elements: [[UInt8]] = []
            for _ in 0..<(1 + Int(rng.next() % 30)) {
                var e = Array("s\(rng.next() % 1000)-ایک".utf8)
                if rng.next() % 25 == 0 { e.append(0xC0) }  // invalid
                elements.append(e)
            }
            var bytes: [UInt8] = []
            for (i, e) in elements.enumerated() {
                if i > 0 { bytes += Self.referenceEncode(UInt64(key)) }
                bytes += Self.referenceEncode(UInt64(e.count)) + e
            }
            // After the run: nothing, another field, or an element cut short.
            let truncatedElement = rng.next() % 4 == 0
            if truncatedElement {
                bytes += Self.referenceEncode(UInt64(key)) + [0x05, 0x61]
            } else if rng.next() % 3 == 0 {
                bytes += [0x08, 0x01]
            }
            let existing: [String] = round % 3 == 0 ? ["x"] : []
            var out = existing
            let error: ProtoDecodingError? = bytes.withUnsafeBytes { raw in
                var r = ProtoReader(raw)
                do throws(ProtoDecodingError) {
                    try r.readRepeatedStrings(key: key, fieldNumber: 44, into: &out)
                    return nil
                } catch {
                    return error
                }
            }
            // Reference: element by element until the first invalid one.
            var expected = existing
            var expectedError: ProtoDecodingError? = nil
            for e in elements {
                guard let s = String(validating: e, as: UTF8.self) else { expectedError = .invalidUTF8(fieldNumber: 44); break }
                expected.append(s)
            }
            if expectedError == nil && truncatedElement { expectedError = .truncated }
            #expect(out == expected, "round \(round)")
            #expect(error == expectedError, "round \(round)")
        }
    }

    /// Long inputs built from real text (ASCII runs, two-, three- and four-byte sequences),
    /// half of them with one byte replaced: the validator agrees with the standard library.
    @Test func utf8ValidationOfLongTextMatchesTheStandardLibrary() {
        var rng = Rng(state: 1979)
        let interesting: [UInt8] = [0x00, 0x41, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]
        for _ in 0..<5_000 {
            var text = ""
            for _ in 0..<Int(rng.next() % 40) {
                switch rng.next() % 5 {
                case 0: text += String(repeating: "a", count: Int(rng.next() % 20))
                case 1: text.unicodeScalars.append(Unicode.Scalar(UInt32(0x600 + rng.next() % 0x100))!)  // Arabic script
                case 2: text.unicodeScalars.append(Unicode.Scalar(UInt32(0x4E00 + rng.next() % 0x1000))!)
                case 3: text.unicodeScalars.append(Unicode.Scalar(UInt32(0x1F600 + rng.next() % 0x50))!)
                default: text += " "
                }
            }
            var bytes = Array(text.utf8)
            if !bytes.isEmpty && rng.next() % 2 == 0 {
                bytes[Int(rng.next() % UInt64(bytes.count))] = interesting[Int(rng.next() % UInt64(interesting.count))]
            }
            let ours = bytes.withUnsafeBytes { UTF8Validation.makeString($0) }
            let stdlib = String(validating: bytes, as: UTF8.self)
            #expect(ours == stdlib, "\(bytes)")
            #expect(bytes.withUnsafeBytes { UTF8Validation.isValid($0) } == (stdlib != nil), "\(bytes)")
        }
    }

    @Test func utf8ValidationMatchesTheStandardLibrary() {
        var rng = Rng(state: 2026)
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        for round in 0..<20_000 {
            // Mostly short inputs; every tenth one long enough for the eight-byte ASCII skips.
            let length = round % 10 == 0 ? Int(rng.next() % 64) : Int(rng.next() % 12)
            let bytes = (0..<length).map { _ in
                rng.next() % 2 == 0 ? interesting[Int(rng.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: rng.next())
            }
            let ours = bytes.withUnsafeBytes { UTF8Validation.makeString($0) }
            let stdlib = String(validating: bytes, as: UTF8.self)
            #expect(ours == stdlib, "\(bytes)")
            #expect(bytes.withUnsafeBytes { UTF8Validation.isValid($0) } == (stdlib != nil), "\(bytes)")
            if let ours { #expect(Array(ours.utf8) == bytes) }
        }
    }
}
