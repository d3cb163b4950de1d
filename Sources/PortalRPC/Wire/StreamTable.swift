/// The open streams of one connection, by stream id: an open-addressing table with linear
/// probing and a multiplicative hash of the id.
///
/// Every frame of a call looks its stream up (CALL, MESSAGE, the response's writes, STATUS,
/// the removal), several times a call on both sides. `Dictionary<UInt32, …>` hashes each
/// lookup with SipHash (about 8 hashes a unary call on each side); ids here are increasing
/// numbers chosen by the peer, and a Fibonacci hash spreads them over the slots for a few
/// instructions. The table is at most half full; removal shifts the rest of a probe run
/// back instead of leaving tombstones, so lookups never slow down over a connection's life.
/// A hostile peer cannot crowd the probe runs: it may hold at most `maxConcurrentStreams`
/// ids at once, and sequential or strided ids land on distinct slots.
struct StreamTable<Stream: AnyObject> {
    private var ids: [UInt32]
    private var slots: [Stream?]
    /// 64 − log2(capacity): the hash is the top bits of the product.
    private var shift: UInt64
    /// Streams in the table.
    private(set) var count = 0

    init() {
        ids = Array(repeating: 0, count: 8)
        slots = Array(repeating: nil, count: 8)
        shift = 61
    }

    var isEmpty: Bool { count == 0 }

    /// The streams, in no particular order (a copy: the table may change while they are used).
    var values: [Stream] {
        var out: [Stream] = []
        out.reserveCapacity(count)
        for case let stream? in slots { out.append(stream) }
        return out
    }

    /// The ids and streams, in no particular order (a copy, like `values`).
    var entries: [(id: UInt32, stream: Stream)] {
        var out: [(id: UInt32, stream: Stream)] = []
        out.reserveCapacity(count)
        for i in slots.indices {
            if let stream = slots[i] { out.append((ids[i], stream)) }
        }
        return out
    }

    subscript(id: UInt32) -> Stream? {
        get {
            let mask = slots.count - 1
            var i = home(id)
            while let stream = slots[i] {
                if ids[i] == id { return stream }
                i = (i + 1) & mask
            }
            return nil
        }
        set {
            if let newValue { insert(newValue, for: id) } else { remove(id) }
        }
    }

    mutating func removeAll() {
        self = StreamTable()
    }

    @inline(__always)
    private func home(_ id: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(id) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    private mutating func insert(_ stream: Stream, for id: UInt32) {
        let mask = slots.count - 1
        var i = home(id)
        while slots[i] != nil {
            if ids[i] == id {
                slots[i] = stream
                return
            }
            i = (i + 1) & mask
        }
        if (count + 1) * 2 > slots.count {
            grow()
            insert(stream, for: id)
            return
        }
        ids[i] = id
        slots[i] = stream
        count += 1
    }

    private mutating func remove(_ id: UInt32) {
        let mask = slots.count - 1
        var gap = home(id)
        while true {
            guard slots[gap] != nil else { return }   // not in the table
            if ids[gap] == id { break }
            gap = (gap + 1) & mask
        }
        slots[gap] = nil
        count -= 1
        // Close the gap: a later entry of the same probe run moves into it if the gap lies
        // between that entry's home slot and where it sits now.
        var j = gap
        while true {
            j = (j + 1) & mask
            guard slots[j] != nil else { return }
            let displacement = (j - home(ids[j])) & mask
            if displacement >= (j - gap) & mask {
                ids[gap] = ids[j]
                slots[gap] = slots[j]
                slots[j] = nil
                gap = j
            }
        }
    }

    private mutating func grow() {
        let old = entries
        ids = Array(repeating: 0, count: slots.count * 2)
        slots = Array(repeating: nil, count: slots.count * 2)
        shift -= 1
        count = 0
        for (id, stream) in old { insert(stream, for: id) }
    }
}
