// Reference loops timed in the same runs as a row: floors that no decoder or encoder of the
// row can go below, so a row's figures can be read against them.
import PortalWire

enum References {
    /// The floor of the row's encode: a new `[UInt8]` of the encoding's size holding the
    /// four header bytes (key and length) and one copy of the 64 KiB payload after them,
    /// then released. The copy's destination is 4 bytes off the source's alignment, as in
    /// any encoding of the row.
    static var encode64KiB: Reference { Reference(
        id: "copy_64k_encode", title: "encode floor: allocate 65 540 bytes, 4 header bytes + memcpy 64 KiB",
        loop: { n in
            let source = Fixtures.blob
            source.withUnsafeBytes { raw in
                for _ in 0..<n {
                    blackHole([UInt8](unsafeUninitializedCapacity: raw.count + 4) { buffer, count in
                        let out = UnsafeMutableRawPointer(buffer.baseAddress!)
                        out.storeBytes(of: UInt32(0x0480_807A).littleEndian, as: UInt32.self)  // key 15/2, length 65 536
                        (out + 4).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
                        count = raw.count + 4
                    })
                }
            }
        }) }

    /// The floor of the row's decode: a new 64 KiB `[UInt8]` copied from the payload in the
    /// encoded message (4 bytes in), then released.
    static func decode64KiB(_ encoded: [UInt8]) -> Reference { Reference(
        id: "copy_64k_decode", title: "decode floor: allocate 65 536 bytes + memcpy 64 KiB from the encoding",
        loop: { n in
            encoded.withUnsafeBytes { raw in
                let payload = raw.count - 4
                for _ in 0..<n {
                    blackHole([UInt8](unsafeUninitializedCapacity: payload) { buffer, count in
                        UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: raw.baseAddress! + 4, byteCount: payload)
                        count = payload
                    })
                }
            }
        }) }

    /// An empty `TestAllTypesProto3` made and destroyed: the fixed cost of every decode of a
    /// `TestAllTypesProto3` row (its ~130 fields are initialised, and the ~30 that hold
    /// references released: its 84 repeated and map fields are in 11 field groups, each one
    /// nil pointer while unwritten).
    static var emptyAllTypes: Reference { Reference(
        id: "empty_alltypes", title: "make and drop an empty TestAllTypesProto3 (ours)",
        loop: { n in
            for _ in 0..<n { blackHole(PortalAllTypes()) }
        }) }

    /// The row's 100 strings made from the encoded message's bytes by the standard library
    /// into a new `[String]`, then released: the work any decoder producing a validated
    /// `[String]` does (per string one UTF-8 validation, an allocation, a copy, and freeing
    /// it), without parsing. `String._tryFromUTF8` validates and builds in one call, the
    /// cheapest way the library offers (`String(validating:as:)` is generic and slower;
    /// `String(decoding:as:)` does not reject invalid input).
    ///
    /// Two orders, because glibc's malloc makes them cost differently in a decode-and-drop
    /// loop: the array allocated first (its 1.6 KB request merges every chunk the previous
    /// iteration freed into the fast bins before any string is made), or the strings made
    /// first into scratch space and moved into the array allocated after them (they reuse
    /// those chunks; CitizenPortal's reader does this, see `ProtoReader+Runs.swift`).
    static func makeStrings(_ message: PortalAllTypes) -> [Reference] {
        // The (offset, length) of each string in the encoding: 2-byte key, 1-byte length.
        let encoded = message.serializedBytes()
        var ranges: [(Int, Int)] = []
        var at = 0
        while at < encoded.count {
            let length = Int(encoded[at + 2])
            ranges.append((at + 3, length))
            at += 3 + length
        }
        precondition(ranges.count == message.repeatedString.count, "unexpected string encoding")
        return [
            Reference(
                id: "make_strings", title: "make the \(ranges.count) validated Strings into a new [String] allocated first (standard library only)",
                loop: { n in
                    encoded.withUnsafeBytes { raw in
                        let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                        for _ in 0..<n {
                            blackHole([String](unsafeUninitializedCapacity: ranges.count) { buffer, count in
                                for (k, (offset, length)) in ranges.enumerated() {
                                    (buffer.baseAddress! + k).initialize(
                                        to: String._tryFromUTF8(UnsafeBufferPointer(start: base + offset, count: length))!)
                                }
                                count = ranges.count
                            })
                        }
                    }
                }),
            Reference(
                id: "make_strings_first", title: "make the \(ranges.count) validated Strings first, then move them into a new [String] (standard library only)",
                loop: { n in
                    let scratch = UnsafeMutablePointer<String>.allocate(capacity: ranges.count)
                    defer { scratch.deallocate() }
                    encoded.withUnsafeBytes { raw in
                        let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                        for _ in 0..<n {
                            for (k, (offset, length)) in ranges.enumerated() {
                                (scratch + k).initialize(
                                    to: String._tryFromUTF8(UnsafeBufferPointer(start: base + offset, count: length))!)
                            }
                            blackHole([String](unsafeUninitializedCapacity: ranges.count) { buffer, count in
                                buffer.baseAddress!.moveInitialize(from: scratch, count: ranges.count)
                                count = ranges.count
                            })
                        }
                    }
                }),
        ]
    }
}
