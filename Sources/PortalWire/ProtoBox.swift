/// Copy-on-write heap storage for a message field whose type can contain the enclosing
/// message (directly or through other messages), which a Swift struct cannot hold inline.
@frozen
public struct ProtoBox<Value: Hashable & Sendable>: Hashable, Sendable {
    @usableFromInline
    final class Storage: @unchecked Sendable {
        // Only ever mutated through `value`'s uniquely-referenced check below.
        @usableFromInline var value: Value
        @usableFromInline init(_ value: Value) { self.value = value }
    }

    @usableFromInline var storage: Storage

    @inlinable
    public init(_ value: Value) { storage = Storage(value) }

    @inlinable
    public var value: Value {
        get { storage.value }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.value) }
            yield &storage.value
        }
        set {
            if isKnownUniquelyReferenced(&storage) {
                storage.value = newValue
            } else {
                storage = Storage(newValue)
            }
        }
    }

    @inlinable
    public static func == (lhs: ProtoBox, rhs: ProtoBox) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.value == rhs.storage.value
    }

    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(storage.value) }
}
