import Testing
import PortalWire

/// A message with many repeated fields keeps them in field groups (`ProtoFieldGroup`): the
/// fields must behave exactly like stored ones — values, copy-on-write, equality and hashing
/// that do not depend on whether a group's storage exists, and the same encoding.
@Suite struct FieldGroupTests {
    func roundTrip<M: ProtoMessage>(_ m: M) throws -> M { try M(serializedBytes: m.serializedBytes()) }

    func filled() -> Stress_Shapes_Grouped {
        var m = Stress_Shapes_Grouped()
        m.blobs = [[], [1, 2]]
        m.packedInt32 = [1, -2, 300]
        m.unpackedInt32 = [3, 4]
        m.packedDouble = [.infinity, -1.5]
        m.unpackedFixed32 = [UInt32.max]
        m.packedSint64 = [Int64.min, -1, 0]
        m.packedBool = [true, false]
        m.packedEnum = [.four, .UNRECOGNIZED(-5)]
        m.strings = ["", "ü", "abc"]
        m.plain = -7
        var child = Stress_Shapes_Grouped()
        child.label = "child"
        child.moreStrings = ["x"]
        m.children = ["c": child, "": Stress_Shapes_Grouped()]
        m.nested = [child, Stress_Shapes_Grouped()]
        m.names = [1: "one", -1: "minus one"]
        m.label = "root"
        m.packedUint64 = [UInt64.max]
        m.packedFloat = [0.5]
        m.flags = [true: [9], false: []]
        m.packedSfixed64 = [-3]
        m.packedInt64 = [Int64.max]
        m.moreStrings = ["y", "z"]
        m.only = child
        return m
    }

    @Test func everyFieldRoundTrips() throws {
        let m = filled()
        #expect(try roundTrip(m) == m)
        let deterministic = m.serializedBytes(deterministic: true)
        #expect(try Stress_Shapes_Grouped(serializedBytes: deterministic).serializedBytes(deterministic: true) == deterministic)
        #expect(m.encodedSize == m.serializedBytes().count)
    }

    @Test func encodingMatchesAMessageWithStoredFields() throws {
        // Fields 1-9 have Packing's numbers and types; Packing's fields are stored inline.
        var p = Stress_Shapes_Packing()
        p.packedInt32 = [1, -2, 300]
        p.unpackedInt32 = [3, 4]
        p.packedDouble = [.infinity, -1.5]
        p.unpackedFixed32 = [UInt32.max]
        p.packedSint64 = [Int64.min, -1, 0]
        p.packedBool = [true, false]
        p.packedEnum = [.four, .UNRECOGNIZED(-5)]
        p.strings = ["", "ü", "abc"]
        p.blobs = [[], [1, 2]]
        var g = Stress_Shapes_Grouped()
        g.packedInt32 = p.packedInt32
        g.unpackedInt32 = p.unpackedInt32
        g.packedDouble = p.packedDouble
        g.unpackedFixed32 = p.unpackedFixed32
        g.packedSint64 = p.packedSint64
        g.packedBool = p.packedBool
        g.packedEnum = p.packedEnum
        g.strings = p.strings
        g.blobs = p.blobs
        #expect(g.serializedBytes() == p.serializedBytes())
        let decoded = try Stress_Shapes_Grouped(serializedBytes: p.serializedBytes())
        #expect(decoded == g)
        #expect(decoded.blobs == [[], [1, 2]] && decoded.packedEnum == [.four, .UNRECOGNIZED(-5)])
    }

    @Test func unwrittenAndEmptiedGroupsAreEqualAndHashAlike() {
        let fresh = Stress_Shapes_Grouped()
        #expect(fresh.packedInt32.isEmpty && fresh.children.isEmpty && fresh.moreStrings.isEmpty)
        #expect(fresh.serializedBytes().isEmpty)
        var emptied = Stress_Shapes_Grouped()
        emptied.packedInt32 = [1]     // allocates group 0
        emptied.packedInt32 = []
        emptied.names[5] = "five"     // group 1
        emptied.names[5] = nil
        emptied.moreStrings.append("a")  // group 2, through the modify accessor
        emptied.moreStrings.removeAll()
        #expect(emptied == fresh)
        #expect(fresh == emptied)
        #expect(emptied.hashValue == fresh.hashValue)
        #expect(Set([fresh, emptied]).count == 1)
        #expect(emptied.serializedBytes().isEmpty)
        // One field differing in one group is a difference.
        var other = Stress_Shapes_Grouped()
        other.moreStrings = [""]
        #expect(other != fresh)
        #expect(fresh != other)
        var a = filled()
        var b = filled()
        #expect(a == b && a.hashValue == b.hashValue)
        b.flags[true] = [8]
        #expect(a != b)
        a.flags[true] = [8]
        #expect(a == b && a.hashValue == b.hashValue)
    }

    @Test func copiesDoNotShareWrites() {
        let original = filled()
        var copy = original
        copy.packedInt32.append(4)
        copy.children["c"]?.label = "changed"
        copy.moreStrings[0] = "changed"
        copy.names = [:]
        #expect(original.packedInt32 == [1, -2, 300])
        #expect(original.children["c"]?.label == "child")
        #expect(original.moreStrings == ["y", "z"])
        #expect(original.names.count == 2)
        #expect(copy.packedInt32 == [1, -2, 300, 4])
        #expect(copy.children["c"]?.label == "changed")
        #expect(copy.moreStrings == ["changed", "z"])
        #expect(copy.names.isEmpty)
        #expect(copy != original)
        // A copy of an unwritten message that then writes leaves the original unwritten.
        let blank = Stress_Shapes_Grouped()
        var written = blank
        written.strings = ["s"]
        #expect(blank.strings.isEmpty && written.strings == ["s"])
    }

    @Test func decodingMergesIntoExistingGroups() throws {
        var m = Stress_Shapes_Grouped()
        m.packedInt32 = [1]
        m.names = [1: "a"]
        var more = Stress_Shapes_Grouped()
        more.packedInt32 = [2]
        more.names = [1: "b", 2: "c"]
        more.strings = ["s"]
        let shared = m
        try m.merge(serializedBytes: more.serializedBytes())
        #expect(m.packedInt32 == [1, 2])
        #expect(m.names == [1: "b", 2: "c"])
        #expect(m.strings == ["s"])
        #expect(shared.packedInt32 == [1] && shared.names == [1: "a"] && shared.strings.isEmpty)
    }
}
