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
        try withLengthDelimited { raw throws(ProtoDecodingError) in [UInt8](raw) }
    }

    /// Reads a `string` field; proto3 requires valid UTF-8.
    @inlinable public mutating func readString(fieldNumber: Int) throws(ProtoDecodingError) -> String {
        try withLengthDelimited { raw throws(ProtoDecodingError) in
            guard let s = UTF8Validation.makeString(raw) else { throw .invalidUTF8(fieldNumber: fieldNumber) }
            return s
        }
    }

    // MARK: Packed repeated fields

    /// Reads a packed run of varints, appending each after `transform`.
    @inlinable
    public mutating func readPackedVarints<T>(
        into array: inout [T], _ transform: (UInt64) -> T
    ) throws(ProtoDecodingError) {
        let length = try readLength()
        var sub = ProtoReader(cursor: cursor, end: cursor + length, depth: depth)
        while !sub.isAtEnd {
            array.append(transform(try sub.readVarint()))
        }
        cursor += length
    }

    @inlinable
    public mutating func readPackedFixed32<T>(
        into array: inout [T], _ transform: (UInt32) -> T
    ) throws(ProtoDecodingError) {
        let length = try readLength()
        guard length % 4 == 0 else { throw .truncated }
        array.reserveCapacity(array.count + length / 4)
        var p = cursor
        let stop = cursor + length
        while p < stop {
            array.append(transform(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))))
            p += 4
        }
        cursor = stop
    }

    @inlinable
    public mutating func readPackedFixed64<T>(
        into array: inout [T], _ transform: (UInt64) -> T
    ) throws(ProtoDecodingError) {
        let length = try readLength()
        guard length % 8 == 0 else { throw .truncated }
        array.reserveCapacity(array.count + length / 8)
        var p = cursor
        let stop = cursor + length
        while p < stop {
            array.append(transform(UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))))
            p += 8
        }
        cursor = stop
    }
}
