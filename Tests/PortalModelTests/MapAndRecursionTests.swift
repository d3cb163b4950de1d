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

/// Swift's String equality is canonical; protobuf map keys are bytes.
@Suite struct UnicodeMapKeyTests {
    @Test func canonicallyEquivalentKeysAreRejectedNotMerged() {
        // labels {"e\u{301}": "decomposed"}, {"\u{e9}": "precomposed"} — found by the interop check.
        let input = bytes(hex: "8201110a0365cc81120a6465636f6d706f7365648201110a02c3a9120b707265636f6d706f736564")
        #expect(throws: ProtoDecodingError.ambiguousMapKey(fieldNumber: 16)) {
            try Portal_V1_Complaint(serializedBytes: input)
        }
    }

    @Test func repeatedIdenticalKeysStillKeepTheLastValue() throws {
        let input = bytes(hex: "8201090a02c3a912036f6e65" + "8201090a02c3a91203747774")
        #expect(try Portal_V1_Complaint(serializedBytes: input).labels == ["\u{e9}": "twt"])
    }

    @Test func deterministicOrderIsByUTF8Bytes() {
        // U+212B (e2 84 ab) sorts after U+00D0 (c3 90) by bytes, as protoc and Python order them.
        var c = Portal_V1_Complaint()
        c.labels = ["\u{212b}": "x", "\u{d0}": "y"]
        #expect(hex(c.serializedBytes(deterministic: true)) == "8201070a02c3901201798201080a03e284ab120178")
    }
}
