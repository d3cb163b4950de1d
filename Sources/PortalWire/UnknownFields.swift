/// Fields a decoder did not recognise, kept as their exact wire bytes (key included) in the
/// order they arrived, and re-emitted byte for byte after the known fields.
@frozen
public struct UnknownFields: Hashable, Sendable {
    public var bytes: [UInt8]

    @inlinable
    public init() { bytes = [] }

    @inlinable
    public init(bytes: [UInt8]) { self.bytes = bytes }

    @inlinable
    public var isEmpty: Bool { bytes.isEmpty }

    @inlinable
    public mutating func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }
}
