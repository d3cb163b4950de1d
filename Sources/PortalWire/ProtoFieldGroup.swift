/// The heap storage of one group of a large message's repeated and map fields: a final class
/// generated next to the message, with one stored property per field of the group.
///
/// Why groups: a struct with ~80 array and dictionary fields costs ~80 `swift_release` calls
/// every time a value of it is destroyed, even when every field is empty (about 400 ns for
/// `TestAllTypesProto3`, the fixed cost of each of its decodes). Messages with many repeated
/// fields (`SwiftEmitter.fieldGroupThreshold`) keep them in groups of a few fields each,
/// allocated when a field of the group is first written; an untouched group is one nil
/// pointer. The fields stay public computed properties of the message with the same types.
public protocol ProtoFieldGroupStorage: AnyObject, Sendable {
    /// Every field empty.
    init()
    /// A new storage holding the same field values (copy on write).
    func copy() -> Self
    /// Whether every field of the group is empty (equal to a new group).
    var isEmpty: Bool { get }
    /// Field-by-field equality.
    func isEqual(to other: Self) -> Bool
    /// Hashes every field, in declaration order.
    func hash(into hasher: inout Hasher)
}

/// A message's handle on one field group: nil until a field of the group is written, then a
/// copy-on-write reference. Equality and hashing treat a nil group and an allocated group whose
/// fields are all empty alike, so the message's synthesised `==` and `hash(into:)` compare
/// field values, not whether storage happens to exist.
@frozen
public struct ProtoFieldGroup<Storage: ProtoFieldGroupStorage>: Hashable, Sendable {
    /// The group's fields, or nil while none was ever written (all empty). Generated code
    /// reads fields through it; it writes only through `unique()`.
    public var storage: Storage?

    @inlinable
    public init() { storage = nil }

    /// The storage, allocated if absent and copied if shared, for writing one of its fields.
    @inlinable @inline(__always)
    public mutating func unique() -> Storage {
        if _slowPath(!isKnownUniquelyReferenced(&storage)) {
            storage = storage?.copy() ?? Storage()
        }
        return storage.unsafelyUnwrapped
    }

    @inlinable
    public static func == (lhs: ProtoFieldGroup, rhs: ProtoFieldGroup) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (nil, nil): return true
        case let (l?, r?): return l === r || l.isEqual(to: r)
        case let (l?, nil): return l.isEmpty
        case let (nil, r?): return r.isEmpty
        }
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        // Equal groups hash alike: every all-empty group (or none) feeds the same single byte.
        if let storage, !storage.isEmpty {
            hasher.combine(1 as UInt8)
            storage.hash(into: &hasher)
        } else {
            hasher.combine(0 as UInt8)
        }
    }
}
