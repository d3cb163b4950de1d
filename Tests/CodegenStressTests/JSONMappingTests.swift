import Testing
import PortalWire

/// The proto3 JSON mapping on generated messages: names, presence, maps, enums, oneofs,
/// round trips, and the field path every error names.
@Suite struct JSONMappingTests {
    typealias Depth = Stress_Shapes_Outer.Middle.Inner.Innermost.Depth

    func json(_ m: some ProtoMessage, _ configure: (inout ProtoJSONEncodingOptions) -> Void = { _ in }) -> String {
        var options = ProtoJSONEncodingOptions()
        configure(&options)
        return m.jsonString(options: options)
    }

    func decode<M: ProtoMessage>(_ type: M.Type, _ text: String, ignoreUnknown: Bool = false) throws(ProtoJSONError) -> M {
        var options = ProtoJSONDecodingOptions()
        options.ignoreUnknownFields = ignoreUnknown
        return try M(jsonUTF8Bytes: Array(text.utf8), options: options)
    }

    func error<M: ProtoMessage>(_ type: M.Type, _ text: String) -> ProtoJSONError? {
        do {
            _ = try decode(type, text)
            return nil
        } catch {
            return error
        }
    }

    func sampleTree() -> Stress_Shapes_Tree {
        var leaf = Stress_Shapes_Tree()
        leaf.label = "leaf \"quoted\" \u{1F600}\n"
        leaf.leafValue = 7
        var tree = Stress_Shapes_Tree()
        tree.label = "root"
        tree.left = leaf
        tree.children = [leaf, Stress_Shapes_Tree()]
        tree.onlyChild = leaf
        tree.named = ["a": leaf, "": Stress_Shapes_Tree()]
        return tree
    }

    @Test func roundTripsEveryShape() throws {
        var maps = Stress_Shapes_Maps()
        maps.int32Key = [-1: "a", 2: "b"]
        maps.int64Key = [Int64.min: "min", Int64.max: "max"]
        maps.uint64Key = [UInt64.max: "x"]
        maps.boolKey = [true: "t", false: "f"]
        maps.bytesValue = ["k": [0, 1, 254, 255]]
        maps.enumValue = ["four": .four, "odd": Depth(rawValue: 9)]
        maps.doubleValue = [1: .nan, 2: -.infinity, 3: -0.0, 4: 1e-300]
        var packing = Stress_Shapes_Packing()
        packing.packedInt32 = [Int32.min, 0, Int32.max]
        packing.packedDouble = [0.1, .infinity, 5]
        packing.packedSint64 = [Int64.min, -1]
        packing.packedBool = [true, false]
        packing.packedEnum = [.four, .unspecified]
        packing.blobs = [[], [1], [1, 2], [1, 2, 3]]
        var presence = Stress_Shapes_Presence()
        presence.maybeInt = 0
        presence.maybeString = ""
        presence.maybeEnum = .unspecified
        presence.either = 0
        presence.renamed = "r"
        for options in [{ (_: inout ProtoJSONEncodingOptions) in }, { $0.alwaysPrintPrimitiveFields = true }, { $0.useProtoFieldNames = true }] {
            #expect(try decode(Stress_Shapes_Tree.self, json(sampleTree(), options)) == sampleTree())
            let m = try decode(Stress_Shapes_Maps.self, json(maps, options))
            #expect(m.serializedBytes(deterministic: true) == maps.serializedBytes(deterministic: true))  // NaN != NaN
            let p = try decode(Stress_Shapes_Packing.self, json(packing, options))
            #expect(p.serializedBytes() == packing.serializedBytes())
            #expect(try decode(Stress_Shapes_Presence.self, json(presence, options)) == presence)
        }
    }

    @Test func namesPresenceAndSpecialValues() throws {
        var p = Stress_Shapes_Presence()
        #expect(json(p) == "{}")
        #expect(json(p) { $0.alwaysPrintPrimitiveFields = true } == #"{"plain":0,"deprecatedField":0,"otherName":""}"#)
        p.maybeInt = 0
        p.renamed = "x"
        p.either = 0
        #expect(json(p) == #"{"maybeInt":0,"either":0,"otherName":"x"}"#)
        #expect(json(p) { $0.useProtoFieldNames = true } == #"{"maybe_int":0,"either":0,"renamed":"x"}"#)
        // Both names are accepted on input.
        #expect(try decode(Stress_Shapes_Presence.self, #"{"renamed":"a"}"#).renamed == "a")
        #expect(try decode(Stress_Shapes_Presence.self, #"{"otherName":"a","maybe_int":"3"}"#).maybeInt == 3)

        var maps = Stress_Shapes_Maps()
        maps.int64Key = [-5: "x"]
        maps.boolKey = [true: "t"]
        maps.bytesValue = ["b": [0xFB, 0xFF]]
        maps.doubleValue = [1: .nan]
        #expect(json(maps) == #"{"int64Key":{"-5":"x"},"boolKey":{"true":"t"},"bytesValue":{"b":"+/8="},"doubleValue":{"1":"NaN"}}"#)
        // URL-safe and unpadded base64, numbers for int64 and exponents for integers on input.
        let read = try decode(Stress_Shapes_Maps.self, #"{"bytesValue":{"b":"-_8"},"int64Key":{"7":"y"},"int32Key":{"1":"z"}}"#)
        #expect(read.bytesValue["b"] == [0xFB, 0xFF])
        let packing = try decode(Stress_Shapes_Packing.self, #"{"packedSint64":[1e3,"-9223372036854775808",2.0],"packedEnum":["DEPTH_FOUR",4,0]}"#)
        #expect(packing.packedSint64 == [1000, Int64.min, 2])
        #expect(packing.packedEnum == [.four, .four, .unspecified])
        #expect(json(packing) == #"{"packedSint64":["1000","-9223372036854775808","2"],"packedEnum":["DEPTH_FOUR","DEPTH_FOUR","DEPTH_UNSPECIFIED"]}"#)
        // null means "the default".
        let nulls = try decode(Stress_Shapes_Presence.self, #"{"maybeInt":null,"maybeMessage":null,"plain":null,"either":null}"#)
        #expect(nulls == Stress_Shapes_Presence())
    }

    @Test func errorsNameTheirField() throws {
        let cases: [(String, String, String)] = [
            (#"{"maybeMessage":{"n":"x"}}"#, "maybeMessage.n", "invalid number"),
            (#"{"maybeMessage":{"pong":{"ping":{"n":true}}}}"#, "maybeMessage.pong.ping.n", "expected an integer, got a boolean"),
            (#"{"maybeInt":2147483648}"#, "maybeInt", "out of range"),
            (#"{"maybeInt":1.5}"#, "maybeInt", "not an integer"),
            (#"{"maybeEnum":"DEPTH_FIVE"}"#, "maybeEnum", "unknown enum value"),
            (#"{"maybeString":5}"#, "maybeString", "expected a string, got a number"),
            (#"{"plain":1,"plain":2}"#, "plain", "more than once"),
            (#"{"renamed":"a","otherName":"b"}"#, "otherName", "more than once"),
            (#"{"nope":1}"#, "", "unknown field \"nope\""),
        ]
        for (text, path, fragment) in cases {
            let e = error(Stress_Shapes_Presence.self, text)
            #expect(e?.fieldPath == path, "\(text)")
            #expect(e?.description.contains(fragment) == true, "\(text): \(e?.description ?? "accepted")")
            if !path.isEmpty { #expect(e?.description.hasPrefix("field \"\(path)\": ") == true) }
        }
        #expect(error(Stress_Shapes_Packing.self, #"{"packedInt32":[1,"a"]}"#)?.fieldPath == "packedInt32[1]")
        #expect(error(Stress_Shapes_Packing.self, #"{"strings":["a",null]}"#)?.fieldPath == "strings[1]")
        #expect(error(Stress_Shapes_Tree.self, #"{"named":{"k":{"label":1}}}"#)?.fieldPath == #"named["k"].label"#)
        #expect(error(Stress_Shapes_Tree.self, #"{"children":[{},{"left":{"label":[]}}]}"#)?.fieldPath == "children[1].left.label")
        #expect(error(Stress_Shapes_Maps.self, #"{"int32Key":{"x":"a"}}"#)?.fieldPath == #"int32Key["x"]"#)
        #expect(error(Stress_Shapes_Maps.self, #"{"int32Key":{"1":"a","1":"b"}}"#)?.description.contains("duplicate map key") == true)
        #expect(error(Stress_Shapes_Maps.self, #"{"boolKey":{"1":"a"}}"#) != nil)
        #expect(error(Stress_Shapes_Maps.self, #"{"bytesValue":{"k":"a*b"}}"#)?.description.contains("base64") == true)
        // Two members of one oneof.
        #expect(error(Stress_Shapes_Tree.self, #"{"onlyChild":{},"leafValue":1}"#)?.description.contains("oneof") == true)
        #expect(try decode(Stress_Shapes_Tree.self, #"{"onlyChild":null,"leafValue":1}"#).leafValue == 1)
    }

    @Test func ignoreUnknownFields() throws {
        let text = #"{"zzz":{"a":[1,{"b":null}]},"plain":3,"maybeEnum":"NOT_A_VALUE"}"#
        #expect(error(Stress_Shapes_Presence.self, text) != nil)
        let p = try decode(Stress_Shapes_Presence.self, text, ignoreUnknown: true)
        #expect(p.plain == 3)
        #expect(p.maybeEnum == nil)
        let packing = try decode(Stress_Shapes_Packing.self, #"{"packedEnum":["X","DEPTH_FOUR"]}"#, ignoreUnknown: true)
        #expect(packing.packedEnum == [.four])
        // Unknown members are still checked JSON.
        #expect((try? decode(Stress_Shapes_Presence.self, #"{"zzz":[1,]}"#, ignoreUnknown: true)) == nil)
    }

    @Test func hostileInputs() {
        let deepTree = String(repeating: #"{"left":"#, count: 150) + "{}" + String(repeating: "}", count: 150)
        #expect(error(Stress_Shapes_Tree.self, deepTree)?.description.contains("nesting deeper than 100") == true)
        let deepList = #"{"struct":{"a":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}}"
        #expect(error(Stress_Shapes_WellKnown.self, deepList)?.description.contains("nesting") == true)
        let bad = [
            "", " ", "{", "}", "{} x", "{},", #"{"plain":1,}"#, #"{"plain":01}"#, #"{"plain":-}"#, #"{"plain":+1}"#,
            #"{"plain":.5}"#, #"{"plain":1e}"#, #"{"plain":NaN}"#, #"{"plain":0x10}"#, #"{'plain':1}"#,
            #"{"plain":1 "maybeInt":2}"#, #"{"plain" 1}"#, #"{"maybeString":"\ud800"}"#,
            #"{"maybeString":"\udc00\ud800"}"#, #"{"maybeString":"\ud800\u0041"}"#, #"{"maybeString":"\x"}"#,
            #"{"maybeString":"\u12"}"#, "{\"maybeString\":\"a\u{1}b\"}", #"{"maybeString":"abc}"#,
            #"{"plain":1e99999999999}"#, #"{"plain":123456789012345678901234567890}"#, #"{"maybeInt":tru}"#,
            #"{"plain":"1 "}"#, #"{"plain":" 1"}"#, "[]", "null", "3",
        ]
        for text in bad {
            #expect(error(Stress_Shapes_Presence.self, text) != nil, "accepted \(text)")
        }
        // Invalid UTF-8 anywhere, even in a member that would be skipped.
        var bytes = Array(#"{"zzz":"ab"}"#.utf8)
        bytes[8] = 0xC0
        #expect(throws: ProtoJSONError.self) { try Stress_Shapes_Presence(jsonUTF8Bytes: bytes) }
        // Large but valid.
        #expect((try? decode(Stress_Shapes_Presence.self, #"{"plain":1e1,"maybeInt":-2147483648}"#))?.maybeInt == Int32.min)
        #expect((try? decode(Stress_Shapes_Maps.self, #"{"uint64Key":{"18446744073709551615":""}}"#))?.uint64Key.keys.first == .max)
        #expect(error(Stress_Shapes_Maps.self, #"{"uint64Key":{"18446744073709551616":""}}"#) != nil)
        #expect(error(Stress_Shapes_Maps.self, #"{"doubleValue":{"1":1e400}}"#)?.description.contains("out of range") == true)
        // Escapes, surrogate pairs and whitespace are fine.
        let s = try? decode(Stress_Shapes_Presence.self, " {\n\t\"maybeString\" : \"\\ud83d\\ude00\\u00e9\\/\\\"\" } \r\n")
        #expect(s?.maybeString == "\u{1F600}é/\"")
    }
}
