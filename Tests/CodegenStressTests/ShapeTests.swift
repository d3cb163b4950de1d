import Testing
import PortalWire

/// Recursion, deep nesting, every map key type, packing and presence in generated code.
@Suite struct ShapeTests {
    func roundTrip<M: ProtoMessage>(_ m: M) throws -> M { try M(serializedBytes: m.serializedBytes()) }

    @Test func recursiveTreesRoundTrip() throws {
        var leaf = Stress_Shapes_Tree()
        leaf.label = "leaf"
        leaf.leafValue = 7
        var tree = Stress_Shapes_Tree()
        tree.label = "root"
        tree.left = leaf
        tree.right = leaf
        tree.children = [leaf, leaf]
        tree.onlyChild = leaf
        tree.named = ["a": leaf]
        var big = Stress_Shapes_Tree()
        big.left = tree
        big.right = tree
        #expect(try roundTrip(big) == big)
        // Copy-on-write: changing a copy leaves the original alone.
        var copy = big
        copy.left?.label = "changed"
        #expect(big.left?.label == "root")
        #expect(copy.left?.label == "changed")
    }

    @Test func mutualRecursion() throws {
        var ping = Stress_Shapes_Ping()
        ping.n = 1
        var pong = Stress_Shapes_Pong()
        pong.ping = ping
        var outer = Stress_Shapes_Ping()
        outer.pong = pong
        #expect(try roundTrip(outer) == outer)
    }

    @Test func deepNestingAndQualifiedReferences() throws {
        var o = Stress_Shapes_Outer()
        o.middle = .init()
        o.middle?.inner = .init()
        o.middle?.inner?.innermost = .init()
        o.middle?.inner?.innermost?.depth = .four
        o.shortcut = Stress_Shapes_Outer.Middle.Inner.Innermost()
        o.shortcut?.depth = .four
        o.absolute = Stress_Shapes_Outer.Middle()
        #expect(try roundTrip(o) == o)
        #expect(Stress_Shapes_Outer.Middle.Inner.Innermost.protoMessageName == "stress.shapes.Outer.Middle.Inner.Innermost")
    }

    @Test func everyMapKeyTypeRoundTripsAndSortsDeterministically() throws {
        var m = Stress_Shapes_Maps()
        m.int32Key = [-1: "a", 5: "b"]
        m.int64Key = [Int64.min: "a", Int64.max: "b"]
        m.uint32Key = [0: "z", UInt32.max: "m"]
        m.uint64Key = [UInt64.max: "x"]
        m.sint32Key = [-3: "s"]
        m.sint64Key = [-4: "s"]
        m.fixed32Key = [7: "f"]
        m.fixed64Key = [8: "f"]
        m.sfixed32Key = [-9: "f"]
        m.sfixed64Key = [-10: "f"]
        m.boolKey = [true: "t", false: "f"]
        m.bytesValue = ["b": [0, 255]]
        m.enumValue = ["e": .four, "u": .UNRECOGNIZED(42)]
        m.doubleValue = [1: -0.0]
        m.boolBool = [false: true]
        #expect(try roundTrip(m) == m)
        // Key order: false before true, and numeric keys ascending.
        var b = Stress_Shapes_Maps()
        b.boolKey = [true: "t", false: "f"]
        #expect(b.serializedBytes(deterministic: true) == [0x5A, 0x05, 0x08, 0x00, 0x12, 0x01, 0x66, 0x5A, 0x05, 0x08, 0x01, 0x12, 0x01, 0x74])
    }

    @Test func packedAndUnpackedEncodingsFollowTheOptions() throws {
        var p = Stress_Shapes_Packing()
        p.packedInt32 = [1, 2]
        p.unpackedInt32 = [3, 4]
        #expect(p.serializedBytes() == [0x0A, 0x02, 0x01, 0x02, 0x10, 0x03, 0x10, 0x04])
        // Each is accepted in the other form too.
        let swapped = try Stress_Shapes_Packing(serializedBytes: [0x08, 0x01, 0x08, 0x02, 0x12, 0x02, 0x03, 0x04])
        #expect(swapped.packedInt32 == [1, 2] && swapped.unpackedInt32 == [3, 4])
        var all = Stress_Shapes_Packing()
        all.packedDouble = [.infinity, -1.5]
        all.unpackedFixed32 = [UInt32.max]
        all.packedSint64 = [Int64.min, -1, 0]
        all.packedBool = [true, false]
        all.packedEnum = [.four, .UNRECOGNIZED(-5)]
        all.strings = ["", "ü"]
        all.blobs = [[], [1]]
        #expect(try roundTrip(all) == all)
    }

    @Test func presenceIsExplicitForOptionalFields() throws {
        var p = Stress_Shapes_Presence()
        #expect(p.serializedBytes().isEmpty)
        p.maybeInt = 0
        p.maybeString = ""
        p.maybeBool = false
        p.maybeEnum = .unspecified
        p.maybeMessage = Stress_Shapes_Ping()
        p.plain = 0
        let decoded = try roundTrip(p)
        #expect(decoded.maybeInt == 0 && decoded.maybeString == "" && decoded.maybeBool == false)
        #expect(decoded.maybeEnum == .unspecified && decoded.maybeMessage != nil)
        #expect(Stress_Shapes_Presence().maybeInt == nil)
        p.either = 0
        #expect(try roundTrip(p).maybeBool_ == .either(0))
    }

    @Test func wellKnownTypesCompose() throws {
        var w = Stress_Shapes_WellKnown()
        var any = Google_Protobuf_Any()
        any.typeUrl = "type.googleapis.com/stress.shapes.Ping"
        var ping = Stress_Shapes_Ping()
        ping.n = 3
        any.value = ping.serializedBytes()
        w.any = any
        var s = Google_Protobuf_Struct()
        var v = Google_Protobuf_Value()
        v.numberValue = 1.5
        s.fields = ["k": v]
        w.struct = s
        w.wrapped = Google_Protobuf_Int64Value()
        w.wrapped?.value = -1
        let decoded = try roundTrip(w)
        #expect(decoded == w)
        let type = try #require(StressSchema.registry.type(forTypeURL: decoded.any!.typeUrl))
        let unpacked = try type.init(serializedBytes: decoded.any!.value)
        #expect(unpacked as? Stress_Shapes_Ping == ping)
    }

    @Test func servicesOfEveryKind() {
        let kinds = Stress_Shapes_Streams.descriptor.methods.map(\.kind)
        #expect(kinds == [.unary, .clientStreaming, .serverStreaming, .bidirectionalStreaming])
        #expect(Stress_Shapes_Streams.Method.bidi.path == "/stress.shapes.Streams/Bidi")
    }
}
