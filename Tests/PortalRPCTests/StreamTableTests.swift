import Testing
@testable import PortalRPC

/// The connections' stream table against `Dictionary`, the structure it replaced.
@Suite struct StreamTableTests {
    final class Box {
        let id: UInt32
        init(_ id: UInt32) { self.id = id }
    }

    /// Deterministic pseudo-random numbers (xorshift), so a failure repeats.
    struct Numbers {
        var state: UInt64
        mutating func next(_ bound: UInt32) -> UInt32 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt32(truncatingIfNeeded: state % UInt64(bound))
        }
    }

    /// Interleaved inserts, replacements, removals (present and absent) and lookups, over ids
    /// clustered the way a connection's are (increasing odd ids, a window of open ones) and
    /// spread at random: the table always answers what a Dictionary answers.
    @Test(arguments: [(UInt64(1), UInt32(64)), (2, 1_000), (3, 1 << 31)])
    func agreesWithADictionary(seed: UInt64, idRange: UInt32) {
        var table = StreamTable<Box>()
        var reference: [UInt32: Box] = [:]
        var random = Numbers(state: seed &* 0x9E37_79B9_7F4A_7C15 | 1)
        var nextID: UInt32 = 1
        for step in 0..<50_000 {
            let id: UInt32
            switch random.next(4) {
            case 0:
                id = nextID
                nextID &+= 2
            case 1: id = nextID &- 2 &* random.next(40)
            default: id = random.next(idRange)
            }
            switch random.next(3) {
            case 0:
                let box = Box(id)
                table[id] = box
                reference[id] = box
            case 1:
                table[id] = nil
                reference[id] = nil
            default:
                #expect(table[id] === reference[id], "step \(step), id \(id)")
            }
            #expect(table.count == reference.count)
        }
        for (id, box) in reference { #expect(table[id] === box) }
        #expect(Set(table.values.map { ObjectIdentifier($0) }) == Set(reference.values.map { ObjectIdentifier($0) }))
        #expect(Dictionary(uniqueKeysWithValues: table.entries.map { ($0.id, $0.stream.id) }) == reference.mapValues(\.id))
        table.removeAll()
        #expect(table.isEmpty && table.values.isEmpty && table[1] == nil)
    }

    /// Removing from the middle of a run that wraps around the end of the slots keeps every
    /// other id reachable.
    @Test func removalsInsideWrappedProbeRuns() {
        var table = StreamTable<Box>()
        let ids = (0..<200).map { UInt32($0) &* 0x1000_0001 }
        for id in ids { table[id] = Box(id) }
        for (n, id) in ids.enumerated() where n % 3 == 1 {
            table[id] = nil
            #expect(table[id] == nil)
        }
        for (n, id) in ids.enumerated() where n % 3 != 1 {
            #expect(table[id]?.id == id)
        }
        #expect(table.count == ids.count - ids.indices.filter { $0 % 3 == 1 }.count)
    }
}
