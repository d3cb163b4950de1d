/// Skipping and keeping fields the generated decoder does not know.
extension ProtoReader {
    /// Skips the value of the field whose key `tag` was just read (from `start`) and appends
    /// the key and value bytes, unchanged, to `unknown`.
    @inlinable
    public mutating func skipUnknown(
        _ tag: FieldTag, from start: UnsafeRawPointer, into unknown: inout UnknownFields
    ) throws(ProtoDecodingError) {
        try skipField(tag)
        unknown.append(UnsafeRawBufferPointer(start: start, count: cursor - start))
    }

    /// Skips the value of `tag`, descending into groups up to the depth limit.
    public mutating func skipField(_ tag: FieldTag) throws(ProtoDecodingError) {
        switch tag.wireTypeBits {
        case WireType.varint.rawValue:
            _ = try readVarint()
        case WireType.fixed64.rawValue:
            guard remaining >= 8 else { throw .truncated }
            cursor += 8
        case WireType.lengthDelimited.rawValue:
            cursor += try readLength()
        case WireType.fixed32.rawValue:
            guard remaining >= 4 else { throw .truncated }
            cursor += 4
        case WireType.startGroup.rawValue:
            guard depth < ProtoReader.maxDepth else { throw .nestingTooDeep }
            depth += 1
            defer { depth -= 1 }
            while true {
                guard !isAtEnd else { throw .truncated }
                let inner = try readTag()
                if inner.wireTypeBits == WireType.endGroup.rawValue {
                    guard inner.fieldNumber == tag.fieldNumber else { throw .mismatchedGroup }
                    return
                }
                try skipField(inner)
            }
        default:  // an end group with no start
            throw .mismatchedGroup
        }
    }
}
