import Testing
import PortalWire

@Suite struct ProtoBoxTests {
    @Test func copiesAreIndependent() {
        var a = ProtoBox([1, 2, 3])
        let b = a
        a.value.append(4)
        #expect(a.value == [1, 2, 3, 4])
        #expect(b.value == [1, 2, 3])
    }

    @Test func equalityAndHashingFollowTheValue() {
        let a = ProtoBox("x")
        let b = ProtoBox("x")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != ProtoBox("y"))
    }
}
