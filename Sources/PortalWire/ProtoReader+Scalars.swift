/// Typed readers for every scalar protobuf type, used by generated decoders.
extension ProtoReader {
    @inlinable public mutating func readInt32() throws(ProtoDecodingError) -> Int32 {
        Int32(truncatingIfNeeded: try readVarint())
    }
    @inlinable public mutating func readInt64() throws(ProtoDecodingError) -> Int64 {
        Int64(bitPattern: try readVarint())
    }
    @inlinable public mutating func readUInt32() throws(ProtoDecodingError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readVarint())
    }
    @inlinable public mutating func readUInt64() throws(ProtoDecodingError) -> UInt64 {
        try readVarint()
    }
    @inlinable public mutating func readSInt32() throws(ProtoDecodingError) -> Int32 {
        ZigZag.decode32(UInt32(truncatingIfNeeded: try readVarint()))
    }
    @inlinable public mutating func readSInt64() throws(ProtoDecodingError) -> Int64 {
        ZigZag.decode64(try readVarint())
    }
    @inlinable public mutating func readBool() throws(ProtoDecodingError) -> Bool {
        try readVarint() != 0
    }
    @inlinable public mutating func readEnum<E: ProtoEnum>(_ type: E.Type = E.self) throws(ProtoDecodingError) -> E {
        E(rawValue: Int32(truncatingIfNeeded: try readVarint()))
    }
    @inlinable public mutating func readSFixed32() throws(ProtoDecodingError) -> Int32 {
        Int32(bitPattern: try readFixed32())
    }
    @inlinable public mutating func readSFixed64() throws(ProtoDecodingError) -> Int64 {
        Int64(bitPattern: try readFixed64())
    }
    @inlinable public mutating func readFloat() throws(ProtoDecodingError) -> Float {
        Float(bitPattern: try readFixed32())
    }
    @inlinable public mutating func readDouble() throws(ProtoDecodingError) -> Double {
        Double(bitPattern: try readFixed64())
    }

    @inlinable public mutating func readBytes() throws(ProtoDecodingError) -> [UInt8] {
        let length = try readLength()
        let start = cursor
        cursor += length
        if length == 0 { return [] }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: start, byteCount: length)
            count = length
        }
    }

    /// Reads a `string` field; proto3 requires valid UTF-8.
    @inlinable public mutating func readString(fieldNumber: Int) throws(ProtoDecodingError) -> String {
        let length = try readLength()
        let start = cursor
        cursor += length
        if length == 0 { return "" }
        guard let s = UTF8Validation.makeString(UnsafeRawBufferPointer(start: start, count: length)) else {
            throw .invalidUTF8(fieldNumber: fieldNumber)
        }
        return s
    }

    // MARK: Packed repeated fields

    /// Reads a packed run of varints, appending each after `transform`. The run is counted
    /// first (every varint ends in one byte below 0x80), so the array grows once.
    @inlinable
    public mutating func readPackedVarints<T>(
        into array: inout [T], _ transform: (UInt64) -> T
    ) throws(ProtoDecodingError) {
        let length = try readLength()
        let start = cursor
        let stop = cursor + length
        let capacity = ProtoReader.countVarintEnds(start, length)
        var failure: ProtoDecodingError? = nil
        if capacity > 0 {
            let values = [T](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                let base = buffer.baseAddress!
                var p = start
                var i = 0
                // Each decoded varint consumes its end byte, so at most `capacity` fit.
                // Long runs go 64 bytes at a time (see `decodeVarintBlocks`); with ten bytes
                // in reach every length takes the same branch-free path; the last few values
                // go through the checked one.
                do throws(ProtoDecodingError) {
                    if stop - p >= 72 {
                        try ProtoReader.decodeVarintBlocks(&p, stop, into: base, count: &i, transform)
                    }
                    while stop - p >= 10 {
                        (base + i).initialize(to: transform(try ProtoReader.decodeMultiByteVarint(&p, stop)))
                        i &+= 1
                    }
                    while p < stop {
                        (base + i).initialize(to: transform(try ProtoReader.decodeVarint(&p, stop)))
                        i &+= 1
                    }
                } catch {
                    failure = error
                }
                initialized = i
            }
            // Values before a malformed one are kept, as a value-by-value append would.
            if array.isEmpty { array = values } else { array.append(contentsOf: values) }
        } else if length > 0 {
            // Bytes but no varint end among them: decoding the first says why (truncated,
            // or malformed past ten bytes).
            var p = start
            _ = try ProtoReader.decodeVarint(&p, stop)
        }
        if let failure { throw failure }
        cursor = stop
    }

    /// Decodes the varints of a packed run 64 bytes at a time, from `p` while at least 72
    /// bytes remain, leaving `p` at the first varint not yet decoded and `count` at the
    /// number of values stored at `base` (also when it throws).
    ///
    /// A per-value decoder finds where each varint ends from its own bytes, so every value
    /// waits for the previous one's load (about ten cycles a value). Here the end bytes of a
    /// whole block (high bit clear) are found first, as a 64-bit mask, and walked with
    /// trailing-zero counts: the positions follow from the mask alone, and the loads and
    /// bit-gathering of successive values overlap. A varint longer than ten bytes is
    /// malformed, as in `decodeMultiByteVarint`; everything after the last block is left to
    /// the caller's checked loop, so truncation is reported there.
    @inlinable
    static func decodeVarintBlocks<T>(
        _ p: inout UnsafeRawPointer, _ stop: UnsafeRawPointer,
        into base: UnsafeMutablePointer<T>, count i: inout Int, _ transform: (UInt64) -> T
    ) throws(ProtoDecodingError) {
        var next = p  // start of the next varint
        var block = p
        while stop - block >= 72 {
            // One bit per byte of the block whose high bit is clear (a varint's last byte).
            var ends: UInt64 = 0
            for k in 0..<8 {
                let word = UInt64(littleEndian: block.loadUnaligned(fromByteOffset: k &* 8, as: UInt64.self))
                let flags = (~word & 0x8080_8080_8080_8080) &>> 7
                ends |= ((flags &* 0x0102_0408_1020_4080) &>> 56) &<< UInt64(k &* 8)
            }
            while ends != 0 {
                let last = block + ends.trailingZeroBitCount
                ends &= ends &- 1
                let length = last - next + 1
                // Loads stay below `block + 72 <= stop`: a varint that ends in this block
                // and is at most eight bytes long starts at most 63 bytes in.
                let word = UInt64(littleEndian: next.loadUnaligned(as: UInt64.self))
                var value: UInt64
                if length <= 8 {
                    value = gatherVarintGroups(word & (UInt64.max &>> UInt64(64 &- length &* 8)))
                } else if length <= 10 {
                    value = gatherVarintGroups(word) | (UInt64(next.load(fromByteOffset: 8, as: UInt8.self) & 0x7F) &<< 56)
                    if length == 10 { value |= UInt64(next.load(fromByteOffset: 9, as: UInt8.self)) &<< 63 }
                } else {
                    p = next
                    throw .malformedVarint
                }
                (base + i).initialize(to: transform(value))
                i &+= 1
                next = last + 1
            }
            block += 64
        }
        p = next
    }

    /// `readPackedVarints` for the 32-bit types (`int32`, `uint32`, `sint32`, enums): each
    /// value is the low 32 bits of its varint, which only the varint's first five bytes
    /// reach, so one path with no length-dependent branch serves every length (sign-extended
    /// ten-byte negatives included). Same values, errors and partial results as
    /// `readPackedVarints` with a truncating transform.
    @inlinable
    public mutating func readPackedVarints32<T>(
        into array: inout [T], _ transform: (UInt32) -> T
    ) throws(ProtoDecodingError) {
        let length = try readLength()
        let start = cursor
        let stop = cursor + length
        let capacity = ProtoReader.countVarintEnds(start, length)
        var failure: ProtoDecodingError? = nil
        if capacity > 0 {
            let values = [T](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                let base = buffer.baseAddress!
                var p = start
                var i = 0
                do throws(ProtoDecodingError) {
                    if stop - p >= 72 {
                        ProtoReader.decodeVarintBlocks32(&p, stop, into: base, count: &i, transform)
                    }
                    while p < stop {
                        let value = try ProtoReader.decodeVarint(&p, stop)
                        (base + i).initialize(to: transform(UInt32(truncatingIfNeeded: value)))
                        i &+= 1
                    }
                } catch {
                    failure = error
                }
                initialized = i
            }
            if array.isEmpty { array = values } else { array.append(contentsOf: values) }
        } else if length > 0 {
            var p = start
            _ = try ProtoReader.decodeVarint(&p, stop)
        }
        if let failure { throw failure }
        cursor = stop
    }

    /// `decodeVarintBlocks` for 32-bit values: the block's end bytes as a mask, then for each
    /// varint one load at its start, the bytes past its end (and past its fifth) masked off,
    /// and the five 7-bit groups gathered. Positions come from the block's mask alone, so
    /// successive values do not wait for each other's loads.
    ///
    /// Lengths are checked once per block rather than once per value: a block holding a run
    /// of ten continuation bytes, or whose first varint (begun in the previous block) is
    /// longer than ten bytes, is left with everything after it to the caller's checked
    /// loop, which reports the malformed varint where a value-by-value decode would.
    @inlinable
    static func decodeVarintBlocks32<T>(
        _ p: inout UnsafeRawPointer, _ stop: UnsafeRawPointer,
        into base: UnsafeMutablePointer<T>, count i: inout Int, _ transform: (UInt32) -> T
    ) {
        var block = p
        // Offset from `block` of the last byte of the previous varint: -1 at the start,
        // lower after a block that ended inside a varint.
        var previousEnd = -1
        var n = i
        while stop - block >= 72 {
            var ends = varintEndMask(block)
            guard ends != 0, ends.trailingZeroBitCount &- previousEnd <= 10,
                  !hasTenContinuationBytes(~ends) else { break }
            repeat {
                let end = ends.trailingZeroBitCount
                ends &= ends &- 1
                // The varint starts at most 63 bytes into the block (or before it): the load
                // stays below `block + 72 <= stop`.
                let word = UInt64(littleEndian: block.loadUnaligned(fromByteOffset: previousEnd &+ 1, as: UInt64.self))
                (base + n).initialize(to: transform(low32OfVarint(word)))
                n &+= 1
                previousEnd = end
            } while ends != 0
            block += 64
            previousEnd &-= 64
        }
        p = block + (previousEnd &+ 1)
        i = n
    }

    /// Whether `continuation` (one bit per byte) has ten consecutive bits set: a varint
    /// longer than ten bytes.
    @inlinable @inline(__always)
    static func hasTenContinuationBytes(_ continuation: UInt64) -> Bool {
        let two = continuation & (continuation &>> 1)
        let four = two & (two &>> 2)
        let eight = four & (four &>> 4)
        return eight & (two &>> 8) != 0
    }

    /// One bit per byte of the 64 at `block` whose high bit is clear (a varint's last byte).
    @inlinable @inline(__always)
    static func varintEndMask(_ block: UnsafeRawPointer) -> UInt64 {
        var ends: UInt64 = 0
        for k in 0..<8 {
            let word = UInt64(littleEndian: block.loadUnaligned(fromByteOffset: k &* 8, as: UInt64.self))
            let flags = (~word & 0x8080_8080_8080_8080) &>> 7
            ends |= ((flags &* 0x0102_0408_1020_4080) &>> 56) &<< UInt64(k &* 8)
        }
        return ends
    }

    /// The low 32 bits of the varint whose first eight bytes are `word` (it may be longer):
    /// the bytes past its last (the first with a clear high bit) and past its fifth are
    /// masked off, then the 7-bit groups are gathered (pairs, the four low groups, then the
    /// fifth group's four low bits).
    @inlinable @inline(__always)
    static func low32OfVarint(_ word: UInt64) -> UInt32 {
        let stops = ~word & 0x8080_8080_8080_8080
        // Every bit up to the lowest stop bit (all of them when no byte stops).
        let through = stops ^ (stops &- 1)
        var x = word & through & 0x7F_7F7F_7F7F
        x = (x &+ (x & 0x7F_007F_007F)) &>> 1  // b0 | b1 << 7, b2 | b3 << 7 (at 16), b4 (at 32)
        let low = UInt32(truncatingIfNeeded: x)
        let low28 = (low &+ 3 &* (low & 0x3FFF)) &>> 2  // the four low groups
        return low28 | (UInt32(truncatingIfNeeded: x &>> 4) & 0xF000_0000)
    }

    @inlinable
    public mutating func readPackedFixed32<T>(
        into array: inout [T], _ transform: (UInt32) -> T
    ) throws(ProtoDecodingError) {
        let length = try readLength()
        guard length % 4 == 0 else { throw .truncated }
        let start = cursor
        let n = length / 4
        if n > 0 {
            let values = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                let base = buffer.baseAddress!
                for i in 0..<n {
                    let raw = UInt32(littleEndian: start.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                    (base + i).initialize(to: transform(raw))
                }
                initialized = n
            }
            if array.isEmpty { array = values } else { array.append(contentsOf: values) }
        }
        cursor = start + length
    }

    @inlinable
    public mutating func readPackedFixed64<T>(
        into array: inout [T], _ transform: (UInt64) -> T
    ) throws(ProtoDecodingError) {
        let length = try readLength()
        guard length % 8 == 0 else { throw .truncated }
        let start = cursor
        let n = length / 8
        if n > 0 {
            let values = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                let base = buffer.baseAddress!
                for i in 0..<n {
                    let raw = UInt64(littleEndian: start.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
                    (base + i).initialize(to: transform(raw))
                }
                initialized = n
            }
            if array.isEmpty { array = values } else { array.append(contentsOf: values) }
        }
        cursor = start + length
    }
}
