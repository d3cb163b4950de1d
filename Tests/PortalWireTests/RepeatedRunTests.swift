import Testing
@testable import PortalWire

/// Runs of one repeated `string` or `bytes` field, of every length around the reader's
/// stage (64 strings or 128 byte arrays decoded into stack space before the array is
/// allocated; the rest of a longer run counted and decoded straight into the array), against
/// an independent reading of the records that were written: the same elements in the same
/// order, the same error, and the reader left where the run ends.
@Suite struct RepeatedRunTests {
    typealias Rng = FastPathEquivalenceTests.Rng

    static func varint(_ v: UInt64) -> [UInt8] { FastPathEquivalenceTests.referenceEncode(v) }

    /// What follows the run's last complete record.
    enum Ending: CaseIterable {
        case end                 // the input ends
        case otherField          // a varint field with another number
        case truncatedRecord     // the key again, then a record cut short
        case overlongLength      // the key again, then a length past 2 GiB
    }

    struct Run {
        var bytes: [UInt8]
        /// Offset just past the last complete record (where a successful read leaves the reader).
        var endOfRecords: Int
    }

    /// The records of `elements` with key `key` (the first key omitted: the caller has read
    /// it), then `ending`.
    static func encode(key: UInt32, _ elements: [[UInt8]], ending: Ending) -> Run {
        var bytes: [UInt8] = []
        for (i, e) in elements.enumerated() {
            if i > 0 { bytes += varint(UInt64(key)) }
            bytes += varint(UInt64(e.count)) + e
        }
        let endOfRecords = bytes.count
        switch ending {
        case .end: break
        case .otherField: bytes += varint(UInt64(key &+ 8) & ~7) + [0x01]  // wire type 0
        case .truncatedRecord: bytes += varint(UInt64(key)) + [0x05, 0x61, 0x62]
        case .overlongLength: bytes += varint(UInt64(key)) + varint(UInt64(Int32.max) + 1)
        }
        return Run(bytes: bytes, endOfRecords: endOfRecords)
    }

    /// Element payloads: mostly short ASCII, some empty, some longer than 127 bytes (a
    /// two-byte length), some Urdu; `invalidAt` gets a stray 0xC0 (not UTF-8).
    static func elements(_ count: Int, invalidAt: Int?, _ rng: inout Rng) -> [[UInt8]] {
        (0..<count).map { i in
            var e: [UInt8]
            switch rng.next() % 10 {
            case 0: e = []
            case 1: e = Array(String(repeating: "officer-", count: 16 + Int(rng.next() % 20)).utf8)
            case 2: e = Array("شکایت نمبر \(i) درج ہو گئی".utf8)
            default: e = Array("district-\(i)-\(rng.next() % 100_000)".utf8)
            }
            if i == invalidAt { e.insert(0xC0, at: e.count / 2) }
            return e
        }
    }

    /// Run lengths on both sides of every boundary the reader has (the short-run minimum 16,
    /// the string stage 64, the bytes stage 128, a second stage's worth), then random ones.
    static func lengths(_ rng: inout Rng) -> [Int] {
        [1, 2, 15, 16, 17, 63, 64, 65, 66, 127, 128, 129, 130, 200, 257] + (0..<40).map { _ in 1 + Int(rng.next() % 300) }
    }

    /// Keys of one byte (field 3), two bytes (field 44) and three bytes (field 2048; a run
    /// with such a key is read one element at a time).
    static let keys: [UInt32] = [3 << 3 | 2, 44 << 3 | 2, 2048 << 3 | 2]

    /// Reads with `body`, returning what it left in the array, its error, and where it stopped.
    static func read<T>(
        _ run: Run, into existing: [T],
        _ body: (inout ProtoReader, inout [T]) throws(ProtoDecodingError) -> Void
    ) -> (array: [T], error: ProtoDecodingError?, offset: Int) {
        var array = existing
        return run.bytes.withUnsafeBytes { raw in
            var r = ProtoReader(raw)
            do throws(ProtoDecodingError) {
                try body(&r, &array)
                return (array, nil, r.position - raw.baseAddress!)
            } catch {
                return (array, error, -1)
            }
        }
    }

    @Test func stringRunsOfEveryLengthMatchTheRecords() {
        var rng = Rng(state: 0x5EED_0064)
        for key in Self.keys {
            for length in Self.lengths(&rng) {
                for ending in Ending.allCases {
                    // One run in three has an invalid element: near the stage boundary or anywhere.
                    let invalidAt: Int? = switch rng.next() % 6 {
                    case 0: [62, 63, 64, 65][Int(rng.next() % 4)]
                    case 1: Int(rng.next() % UInt64(length))
                    default: nil
                    }
                    let elements = Self.elements(length, invalidAt: invalidAt, &rng)
                    let run = Self.encode(key: key, elements, ending: ending)
                    let existing: [String] = rng.next() % 4 == 0 ? ["earlier"] : []
                    let got = Self.read(run, into: existing) { r, array throws(ProtoDecodingError) in
                        try r.readRepeatedStrings(key: key, fieldNumber: Int(key >> 3), into: &array)
                    }

                    // The reference: element by element, standard-library validation. A key of
                    // three bytes does not continue a run: the reader stops after one record.
                    let continues = key < 0x4000
                    var expected = existing
                    var expectedError: ProtoDecodingError? = nil
                    for e in continues ? elements : Array(elements.prefix(1)) {
                        guard let s = String(validating: e, as: UTF8.self) else {
                            expectedError = .invalidUTF8(fieldNumber: Int(key >> 3))
                            break
                        }
                        expected.append(s)
                    }
                    if expectedError == nil && continues {
                        if ending == .truncatedRecord { expectedError = .truncated }
                        if ending == .overlongLength { expectedError = .lengthOverflow }
                    }
                    let expectedOffset = continues ? run.endOfRecords : Self.varint(UInt64(elements[0].count)).count + elements[0].count
                    let context = "key \(key), \(length) elements, invalid at \(invalidAt.map(String.init) ?? "none"), \(ending)"
                    #expect(got.array == expected, "\(context)")
                    #expect(got.error == expectedError, "\(context)")
                    if expectedError == nil {
                        #expect(got.offset == expectedOffset, "\(context)")
                    }
                }
            }
        }
    }

    @Test func bytesRunsOfEveryLengthMatchTheRecords() {
        var rng = Rng(state: 0x5EED_0128)
        for key in Self.keys.prefix(2) {
            for length in Self.lengths(&rng) {
                for ending in Ending.allCases {
                    let elements = Self.elements(length, invalidAt: nil, &rng)
                    let run = Self.encode(key: key, elements, ending: ending)
                    let existing: [[UInt8]] = rng.next() % 4 == 0 ? [[0xFF]] : []
                    let got = Self.read(run, into: existing) { r, array throws(ProtoDecodingError) in
                        try r.readRepeatedBytes(key: key, into: &array)
                    }
                    let expectedError: ProtoDecodingError? = switch ending {
                    case .end, .otherField: nil
                    case .truncatedRecord: .truncated
                    case .overlongLength: .lengthOverflow
                    }
                    let context = "key \(key), \(length) elements, \(ending)"
                    #expect(got.array == existing + elements, "\(context)")
                    #expect(got.error == expectedError, "\(context)")
                    if expectedError == nil {
                        #expect(got.offset == run.endOfRecords, "\(context)")
                    }
                }
            }
        }
    }

    /// A record whose length runs past the input, at each position of a long run (inside the
    /// stage, at its edge, in the counted part): the elements before it are kept and the
    /// error is `truncated`, whichever part of the reader met it.
    @Test func aRecordCutShortAnywhereInALongRunIsReported() {
        var rng = Rng(state: 0x5EED_0C07)
        let key: UInt32 = 44 << 3 | 2
        let elements = Self.elements(150, invalidAt: nil, &rng).map { $0.isEmpty ? [0x61] : $0 }
        for cutRecord in [0, 1, 30, 62, 63, 64, 65, 100, 127, 128, 129, 149] {
            let whole = Self.encode(key: key, elements, ending: .end)
            // The offset of record `cutRecord`'s payload, then cut one byte into it.
            let prefix = Self.encode(key: key, Array(elements.prefix(cutRecord)), ending: .end).bytes
            let keyBytes = cutRecord == 0 ? [] : Self.varint(UInt64(key))
            let cut = prefix.count + keyBytes.count + Self.varint(UInt64(elements[cutRecord].count)).count
            let run = Run(bytes: Array(whole.bytes.prefix(cut + elements[cutRecord].count - 1)), endOfRecords: prefix.count)

            let strings = Self.read(run, into: [String]()) { r, array throws(ProtoDecodingError) in
                try r.readRepeatedStrings(key: key, fieldNumber: 44, into: &array)
            }
            #expect(strings.error == .truncated, "strings cut at record \(cutRecord)")
            #expect(strings.array.count == cutRecord, "strings cut at record \(cutRecord)")
            #expect(strings.array == elements.prefix(cutRecord).map { String(decoding: $0, as: UTF8.self) })

            let bytes = Self.read(run, into: [[UInt8]]()) { r, array throws(ProtoDecodingError) in
                try r.readRepeatedBytes(key: key, into: &array)
            }
            #expect(bytes.error == .truncated, "bytes cut at record \(cutRecord)")
            #expect(bytes.array == Array(elements.prefix(cutRecord)), "bytes cut at record \(cutRecord)")
        }
    }
}
