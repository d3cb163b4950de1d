/// A protobuf message: a value type with a generated binary codec.
///
/// Generated types implement the five requirements; everything a user calls
/// (`init(serializedBytes:)`, `serializedBytes()`, `merge(serializedBytes:)`) is in the
/// extension below.
public protocol ProtoMessage: Sendable, Hashable {
    init()

    /// The fully-qualified protobuf name, e.g. `portal.v1.Complaint`.
    static var protoMessageName: String { get }

    /// Fields this build did not recognise, re-emitted unchanged on encode.
    var unknownFields: UnknownFields { get set }

    /// Decodes fields until `reader` is exhausted, merging into `self` the way protobuf merges:
    /// scalars overwrite, repeated fields append, messages merge recursively.
    mutating func decodeFields(from reader: inout ProtoReader) throws(ProtoDecodingError)

    /// First pass: the encoded size, recording nested sizes in `cache` in pre-order.
    func computeEncodedSize(_ cache: inout SizeCache) -> Int

    /// Second pass: writes the fields in field-number order, then the unknown fields.
    func encodeFields(to writer: inout ProtoWriter)

    /// The message's proto3 JSON shape (field names, accessors, codecs, a well-known type's
    /// special form), which drives `init(jsonUTF8Bytes:)` and `jsonUTF8Bytes()`.
    static var protoJSONTable: ProtoJSONTable<Self> { get }
}

extension ProtoMessage {
    /// Decodes a message from a borrowed buffer.
    @inlinable
    public init(serializedBytes raw: UnsafeRawBufferPointer) throws(ProtoDecodingError) {
        self.init()
        try merge(serializedBytes: raw)
    }

    /// Decodes a message from a byte array.
    @inlinable
    public init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        self.init()
        try merge(serializedBytes: bytes)
    }

    @inlinable
    public mutating func merge(serializedBytes raw: UnsafeRawBufferPointer) throws(ProtoDecodingError) {
        var reader = ProtoReader(raw)
        try decodeFields(from: &reader)
    }

    @inlinable
    public mutating func merge(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        // withUnsafeBytes is not typed-throws; carry the error out by value.
        let failure: ProtoDecodingError? = bytes.withUnsafeBytes { raw in
            do throws(ProtoDecodingError) {
                try merge(serializedBytes: raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// The encoded size in bytes.
    @inlinable
    public var encodedSize: Int {
        var cache = SizeCache()
        return computeEncodedSize(&cache)
    }

    /// Encodes the message into one exactly-sized allocation. With `deterministic`, map
    /// entries are written in key order.
    @inlinable
    public func serializedBytes(deterministic: Bool = false) -> [UInt8] {
        var cache = SizeCache(deterministic: deterministic)
        let size = computeEncodedSize(&cache)
        if size == 0 { return [] }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var writer = ProtoWriter(start: UnsafeMutableRawPointer(buffer.baseAddress!), cache: cache)
            encodeFields(to: &writer)
            assert(writer.position - UnsafeMutableRawPointer(buffer.baseAddress!) == size)
            count = size
        }
    }

    /// Appends the encoding to `bytes`, growing it once (used to build frames in place).
    @inlinable
    public func append(to bytes: inout [UInt8], deterministic: Bool = false) {
        var cache = SizeCache(deterministic: deterministic)
        let size = computeEncodedSize(&cache)
        if size == 0 { return }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: size))
        bytes.withUnsafeMutableBytes { raw in
            var writer = ProtoWriter(start: raw.baseAddress! + start, cache: cache)
            encodeFields(to: &writer)
        }
    }
}

/// A protobuf enum. Proto3 enums are open: unknown numbers decode to an `UNRECOGNIZED`
/// case that keeps the number, so they survive a decode/encode round trip.
public protocol ProtoEnum: RawRepresentable, Hashable, Sendable, CaseIterable where RawValue == Int32 {
    init()
    init(rawValue: Int32)
    /// The value's name in the schema, or nil for an unrecognised number.
    var protoName: String? { get }
    /// The value a schema name denotes (aliases included), or nil; for JSON input. The
    /// default searches `allCases`; enums with aliases generate their own.
    init?(protoName: String)
}
