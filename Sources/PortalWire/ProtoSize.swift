/// Encoded sizes of scalar values, for generated `computeEncodedSize` methods.
public enum ProtoSize {
    @inlinable @inline(__always)
    public static func varint(_ v: UInt64) -> Int {
        // 1 + floor(bits / 7), computed without a loop.
        let bits = 64 - (v | 1).leadingZeroBitCount
        return (bits * 9 + 64) / 64
    }
    @inlinable @inline(__always) public static func varint(_ v: UInt32) -> Int { varint(UInt64(v)) }
    @inlinable @inline(__always) public static func int32(_ v: Int32) -> Int { varint(UInt64(bitPattern: Int64(v))) }
    @inlinable @inline(__always) public static func int64(_ v: Int64) -> Int { varint(UInt64(bitPattern: v)) }
    @inlinable @inline(__always) public static func sint32(_ v: Int32) -> Int { varint(UInt64(ZigZag.encode32(v))) }
    @inlinable @inline(__always) public static func sint64(_ v: Int64) -> Int { varint(ZigZag.encode64(v)) }
    @inlinable @inline(__always) public static func enumValue<E: ProtoEnum>(_ v: E) -> Int { int32(v.rawValue) }

    /// Length prefix plus payload.
    @inlinable @inline(__always) public static func lengthDelimited(_ payload: Int) -> Int { varint(UInt64(payload)) + payload }
    @inlinable @inline(__always) public static func string(_ s: String) -> Int { lengthDelimited(s.utf8.count) }
    @inlinable @inline(__always) public static func bytes(_ b: [UInt8]) -> Int { lengthDelimited(b.count) }

    // MARK: Packed varint runs

    /// 1 when `value` is above `limit` (a limit below 2^31), else 0, without a branch: the
    /// top bit of `limit - value` (or of `value` itself, when it is 2^31 or more).
    @inlinable @inline(__always)
    static func above(_ value: UInt32, _ limit: UInt32) -> UInt32 { ((limit &- value) | value) &>> 31 }

    /// Varint size of a 32-bit value as a sum of threshold tests rather than a leading-zero
    /// count, so that loops over many values vectorise (four values per SSE2 instruction)
    /// and never branch. `extra` is added per value (negative `int32`s take ten bytes).
    @inlinable @inline(__always)
    static func packed32<T>(_ values: [T], _ bits: (T) -> (value: UInt32, extra: UInt32)) -> Int {
        values.withUnsafeBufferPointer { buffer in
            var total = 0
            var i = 0
            let n = buffer.count
            while i < n {
                // 32-bit lanes: at most 10 × 65536 per block, no overflow.
                let blockEnd = Swift.min(n, i &+ 65_536)
                var block: UInt32 = 0
                while i < blockEnd {
                    let (u, extra) = bits(buffer[i])
                    block &+= 1 &+ above(u, 0x7F) &+ above(u, 0x3FFF) &+ above(u, 0x1F_FFFF)
                        &+ above(u, 0xFFF_FFFF) &+ extra
                    i &+= 1
                }
                total &+= Int(block)
            }
            return total
        }
    }

    /// Payload size of a packed `int32` run; a negative value is sign-extended to ten bytes.
    @inlinable
    public static func packedInt32(_ values: [Int32]) -> Int {
        packed32(values) { v in
            let u = UInt32(bitPattern: v)
            return (u, (u &>> 31) &* 5)
        }
    }

    /// Payload size of a packed run of values sign-extended like `int32` (enums).
    @inlinable
    public static func packedInt32<T>(_ values: [T], _ transform: (T) -> Int32) -> Int {
        packed32(values) { v in
            let u = UInt32(bitPattern: transform(v))
            return (u, (u &>> 31) &* 5)
        }
    }

    /// Payload size of a packed `uint32` run (at most five bytes a value).
    @inlinable
    public static func packedUInt32(_ values: [UInt32]) -> Int {
        packed32(values) { ($0, 0) }
    }

    /// Payload size of a packed `sint32` run (ZigZag, then as `uint32`).
    @inlinable
    public static func packedSInt32(_ values: [Int32]) -> Int {
        packed32(values) { (ZigZag.encode32($0), 0) }
    }

    /// Payload size of any other packed varint run, one `transform`ed value at a time.
    @inlinable
    public static func packedVarints<T>(_ values: [T], _ transform: (T) -> UInt64) -> Int {
        values.withUnsafeBufferPointer { buffer in
            var n = 0
            for v in buffer { n &+= varint(transform(v)) }
            return n
        }
    }
}
