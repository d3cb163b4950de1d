/// Sizes computed by the first encoding pass, consumed in the same order by the second.
///
/// The size pass visits nested messages (and packed varint runs) in a fixed pre-order and
/// records each one's payload size; the write pass visits them in the same order and reads
/// the sizes back, so every size is computed exactly once. A message with nothing nested
/// never allocates here.
@frozen
public struct SizeCache {
    @usableFromInline var sizes: [Int]
    @usableFromInline var readIndex: Int
    /// Maps are written in key order when set, so equal messages encode to equal bytes.
    public let deterministic: Bool

    @inlinable
    public init(deterministic: Bool = false) {
        sizes = []
        readIndex = 0
        self.deterministic = deterministic
    }

    /// Reserves a slot before a nested size is computed (pre-order), returning its index.
    @inlinable @inline(__always)
    public mutating func reserve() -> Int {
        if sizes.capacity == 0 { sizes.reserveCapacity(SizeCache.initialCapacity) }
        sizes.append(0)
        return sizes.count &- 1
    }

    /// The first allocation holds this many sizes, so a typical message grows the cache
    /// once instead of through 1, 2, 4, 8... slots.
    @inlinable static var initialCapacity: Int { 16 }

    @inlinable @inline(__always)
    public mutating func set(_ index: Int, _ size: Int) {
        sizes[index] = size
    }

    /// Records a size that needs no nested slot ordering (e.g. a packed run).
    @inlinable @inline(__always)
    public mutating func record(_ size: Int) {
        if sizes.capacity == 0 { sizes.reserveCapacity(SizeCache.initialCapacity) }
        sizes.append(size)
    }

    @inlinable @inline(__always)
    mutating func next() -> Int {
        let s = sizes[readIndex]
        readIndex &+= 1
        return s
    }

    /// Size of the length-delimited payload of `message`, recorded for the write pass.
    @inlinable
    public mutating func messageSize<M: ProtoMessage>(_ message: M) -> Int {
        let slot = reserve()
        let size = message.computeEncodedSize(&self)
        sizes[slot] = size
        return size
    }
}
