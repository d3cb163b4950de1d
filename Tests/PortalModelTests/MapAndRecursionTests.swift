import Testing
import PortalModel

@Suite struct MapAndRecursionTests {
    @Test func deterministicMapsSortByKey() {
        var a = Portal_V1_Complaint()
        var b = Portal_V1_Complaint()
        let keys = (0..<50).map { "key\($0)" }
        for k in keys { a.labels[k] = k.uppercased() }
        for k in keys.reversed() { b.labels[k] = k.uppercased() }
        #expect(a == b)
        #expect(a.serializedBytes(deterministic: true) == b.serializedBytes(deterministic: true))
        // Entries appear in key order.
        var c = Portal_V1_Complaint()
        c.labels = ["b": "2", "a": "1"]
        #expect(hex(c.serializedBytes(deterministic: true)) == "820106" + "0a0161120131" + "820106" + "0a0162120132")
    }

    @Test func mapEntriesWithMissingKeyOrValueDecodeToDefaults() throws {
        // labels entry with only a value, then one with only a key.
        let input: [UInt8] = [0x82, 0x01, 0x03, 0x12, 0x01, 0x76, 0x82, 0x01, 0x03, 0x0A, 0x01, 0x6B]
        let c = try Portal_V1_Complaint(serializedBytes: input)
        #expect(c.labels == ["": "v", "k": ""])
    }

    @Test func duplicateMapKeysKeepTheLastValue() throws {
        var first = Portal_V1_Complaint()
        first.labels = ["k": "1"]
        var second = Portal_V1_Complaint()
        second.labels = ["k": "2"]
        let merged = try Portal_V1_Complaint(serializedBytes: first.serializedBytes() + second.serializedBytes())
        #expect(merged.labels == ["k": "2"])
    }

    /// google.protobuf.Value -> ListValue -> Value is recursive; the generated types box it.
    func nestedValue(depth: Int) -> Google_Protobuf_Value {
        var v = Google_Protobuf_Value()
        v.stringValue = "leaf"
        for _ in 0..<depth {
            var list = Google_Protobuf_ListValue()
            list.values = [v]
            var outer = Google_Protobuf_Value()
            outer.listValue = list
            v = outer
        }
        return v
    }

    @Test func recursiveMessagesRoundTrip() throws {
        let v = nestedValue(depth: 40)
        #expect(try Google_Protobuf_Value(serializedBytes: v.serializedBytes()) == v)
    }

    @Test func nestingDeeperThanTheLimitIsRejected() throws {
        // Each level is Value{list_value} + ListValue{values}: two messages per level.
        let tooDeep = nestedValue(depth: 51).serializedBytes()
        #expect(throws: ProtoDecodingError.nestingTooDeep) { try Google_Protobuf_Value(serializedBytes: tooDeep) }
        let fine = nestedValue(depth: 49).serializedBytes()
        #expect(throws: Never.self) { try Google_Protobuf_Value(serializedBytes: fine) }
    }
}
