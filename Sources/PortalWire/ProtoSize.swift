/// Encoded sizes of scalar values, for generated `computeEncodedSize` methods.
public enum ProtoSize {
    @inlinable
    public static func varint(_ v: UInt64) -> Int {
        // 1 + floor(bits / 7), computed without a loop.
        let bits = 64 - (v | 1).leadingZeroBitCount
        return (bits * 9 + 64) / 64
    }
    @inlinable public static func varint(_ v: UInt32) -> Int { varint(UInt64(v)) }
    @inlinable public static func int32(_ v: Int32) -> Int { varint(UInt64(bitPattern: Int64(v))) }
    @inlinable public static func int64(_ v: Int64) -> Int { varint(UInt64(bitPattern: v)) }
    @inlinable public static func sint32(_ v: Int32) -> Int { varint(UInt64(ZigZag.encode32(v))) }
    @inlinable public static func sint64(_ v: Int64) -> Int { varint(ZigZag.encode64(v)) }
    @inlinable public static func enumValue<E: ProtoEnum>(_ v: E) -> Int { int32(v.rawValue) }

    /// Length prefix plus payload.
    @inlinable public static func lengthDelimited(_ payload: Int) -> Int { varint(UInt64(payload)) + payload }
    @inlinable public static func string(_ s: String) -> Int { lengthDelimited(s.utf8.count) }
    @inlinable public static func bytes(_ b: [UInt8]) -> Int { lengthDelimited(b.count) }
}
