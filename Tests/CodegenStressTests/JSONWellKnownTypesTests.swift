import Testing
import PortalWire

/// The well-known types' special JSON forms, as generated into this module (whose registry
/// resolves `Any` type URLs).
@Suite struct JSONWellKnownTypesTests {
    func decode<M: ProtoMessage>(_ type: M.Type, _ text: String) throws(ProtoJSONError) -> M {
        try M(jsonUTF8Bytes: Array(text.utf8))
    }

    func timestamp(_ seconds: Int64, _ nanos: Int32) -> Google_Protobuf_Timestamp {
        var t = Google_Protobuf_Timestamp()
        t.seconds = seconds
        t.nanos = nanos
        return t
    }

    func duration(_ seconds: Int64, _ nanos: Int32) -> Google_Protobuf_Duration {
        var d = Google_Protobuf_Duration()
        d.seconds = seconds
        d.nanos = nanos
        return d
    }

    @Test func timestamps() throws {
        let cases: [(Int64, Int32, String)] = [
            (0, 0, "1970-01-01T00:00:00Z"),
            (0, 10_000_000, "1970-01-01T00:00:00.010Z"),
            (0, 1000, "1970-01-01T00:00:00.000001Z"),
            (-1, 999_999_999, "1969-12-31T23:59:59.999999999Z"),
            (951_782_400, 0, "2000-02-29T00:00:00Z"),
            (-62_135_596_800, 0, "0001-01-01T00:00:00Z"),
            (253_402_300_799, 0, "9999-12-31T23:59:59Z"),
        ]
        for (s, n, text) in cases {
            #expect(timestamp(s, n).jsonString() == "\"\(text)\"")
            #expect(try decode(Google_Protobuf_Timestamp.self, "\"\(text)\"") == timestamp(s, n))
        }
        #expect(try decode(Google_Protobuf_Timestamp.self, #""1970-01-01T05:30:00.5+05:30""#) == timestamp(0, 500_000_000))
        for bad in ["0000-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "1970-01-01T00:00:00z", "1970-01-01t00:00:00Z",
                    "1970-01-01T00:00:00", "1970-02-30T00:00:00Z", "1970-01-01T00:00:00.Z", "1970-01-01T00:00:00.1234567890Z",
                    "1970-01-01 00:00:00Z", "1970-1-01T00:00:00Z"] {
            #expect(throws: ProtoJSONError.self, "\(bad)") { try decode(Google_Protobuf_Timestamp.self, "\"\(bad)\"") }
        }
        #expect(throws: ProtoJSONError.self) { try timestamp(253_402_300_800, 0).checkedJSONUTF8Bytes() }
        #expect(throws: ProtoJSONError.self) { try timestamp(0, -1).checkedJSONUTF8Bytes() }
    }

    @Test func durations() throws {
        let cases: [(Int64, Int32, String)] = [
            (0, 0, "0s"), (1, 500_000_000, "1.500s"), (0, -500_000_000, "-0.500s"), (-3, -1, "-3.000000001s"),
            (315_576_000_000, 0, "315576000000s"), (0, 1000, "0.000001s"),
        ]
        for (s, n, text) in cases {
            #expect(duration(s, n).jsonString() == "\"\(text)\"")
            #expect(try decode(Google_Protobuf_Duration.self, "\"\(text)\"") == duration(s, n))
        }
        #expect(try decode(Google_Protobuf_Duration.self, #""1.5s""#) == duration(1, 500_000_000))
        for bad in ["1", "1.s", "s", "-s", "315576000001s", "1.0000000001s", " 1s", "1S"] {
            #expect(throws: ProtoJSONError.self, "\(bad)") { try decode(Google_Protobuf_Duration.self, "\"\(bad)\"") }
        }
        #expect(throws: ProtoJSONError.self) { try duration(1, -1).checkedJSONUTF8Bytes() }
    }

    @Test func fieldMasks() throws {
        var mask = Google_Protobuf_FieldMask()
        mask.paths = ["user.display_name", "photo"]
        #expect(mask.jsonString() == #""user.displayName,photo""#)
        #expect(try decode(Google_Protobuf_FieldMask.self, #""user.displayName,photo""#) == mask)
        #expect(try decode(Google_Protobuf_FieldMask.self, #""""#).paths.isEmpty)
        #expect(throws: ProtoJSONError.self) { try decode(Google_Protobuf_FieldMask.self, #""foo_bar""#) }
        mask.paths = ["fooBar"]
        #expect(throws: ProtoJSONError.self) { try mask.checkedJSONUTF8Bytes() }
        // Letters are ASCII letters, scalar by scalar, as in protobuf's C++ runtime: other
        // capitals pass through, and an `A` under a combining ring (one Character, not ASCII)
        // is still an ASCII capital, which would read back as `_a`.
        mask.paths = ["shikayatΩ_ab.z_b"]
        #expect(mask.jsonString() == #""shikayatΩAb.zB""#)
        #expect(try decode(Google_Protobuf_FieldMask.self, #""shikayatΩAb.zB""#) == mask)
        mask.paths = ["a\u{308}A\u{30A}"]
        #expect(throws: ProtoJSONError.self) { try mask.checkedJSONUTF8Bytes() }
        #expect(try decode(Google_Protobuf_FieldMask.self, "\"xA\u{30A}\"").paths == ["x_a\u{30A}"])
    }

    /// FuzzDecodeJSON's first crash: `{"oneof_null_value": 1}` was read as NullValue 1, which
    /// writes as `null` and reads back as 0. NullValue's one value is 0.
    @Test func aNullValueFieldIsNullOnly() throws {
        #expect(try decode(Stress_Shapes_WellKnown.self, #"{"nothing":null}"#).nothing == .nullValue)
        #expect(try decode(Stress_Shapes_WellKnown.self, #"{"nothing":"NULL_VALUE"}"#).nothing == .nullValue)
        #expect(try decode(Stress_Shapes_WellKnown.self, #"{"nothing":0}"#).nothing == .nullValue)
        let error = #expect(throws: ProtoJSONError.self) { try decode(Stress_Shapes_WellKnown.self, #"{"nothing":1}"#) }
        #expect(error?.fieldPath == "nothing")
        var fromBinary = Stress_Shapes_WellKnown()
        fromBinary.nothing = Google_Protobuf_NullValue(rawValue: 1)
        #expect(try fromBinary.checkedJSONUTF8Bytes() == Array(#"{"nothing":null}"#.utf8))  // as C++ and Python write it
    }

    @Test func structValueAndListValue() throws {
        let text = #"{"a":null,"b":[1.5,"x",true,{"c":{}},[]],"d":-0.0}"#
        let s = try decode(Google_Protobuf_Struct.self, text)
        #expect(s.fields["a"]?.kind == .nullValue(.nullValue))
        #expect(s.fields["b"]?.listValue.values.count == 5)
        #expect(s.jsonString() == text)
        #expect(try decode(Google_Protobuf_Value.self, "null").kind == .nullValue(.nullValue))
        #expect(try decode(Google_Protobuf_Value.self, #""NaN""#).stringValue == "NaN")
        #expect(try decode(Google_Protobuf_ListValue.self, "[]").jsonString() == "[]")
        var w = Stress_Shapes_WellKnown()
        w.struct = Google_Protobuf_Struct()
        #expect(w.jsonString() == #"{"struct":{}}"#)
        #expect(throws: ProtoJSONError.self) { try decode(Google_Protobuf_Struct.self, "[]") }
    }

    @Test func wrappers() throws {
        var w = Stress_Shapes_WellKnown()
        var v = Google_Protobuf_Int64Value()
        v.value = 0
        w.wrapped = v
        #expect(w.jsonString() == #"{"wrapped":"0"}"#)
        #expect(try decode(Stress_Shapes_WellKnown.self, #"{"wrapped":"0"}"#) == w)
        #expect(try decode(Stress_Shapes_WellKnown.self, #"{"wrapped":null}"#).wrapped == nil)
        #expect(try decode(Google_Protobuf_BytesValue.self, #""AQI=""#).value == [1, 2])
        #expect(try decode(Google_Protobuf_BoolValue.self, "true").value)
        #expect(Google_Protobuf_Empty().jsonString() == "{}")
    }

    @Test func anyMessages() throws {
        var ping = Stress_Shapes_Ping()
        ping.n = 3
        var any = Google_Protobuf_Any()
        any.typeUrl = "type.googleapis.com/stress.shapes.Ping"
        any.value = ping.serializedBytes()
        #expect(any.jsonString() == #"{"@type":"type.googleapis.com/stress.shapes.Ping","n":3}"#)
        #expect(try decode(Google_Protobuf_Any.self, #"{"n":3,"@type":"type.googleapis.com/stress.shapes.Ping"}"#) == any)
        // A well-known type with a special form goes under "value".
        var packed = Google_Protobuf_Any()
        packed.typeUrl = "type.googleapis.com/google.protobuf.Duration"
        packed.value = duration(2, 0).serializedBytes()
        #expect(packed.jsonString() == #"{"@type":"type.googleapis.com/google.protobuf.Duration","value":"2s"}"#)
        #expect(try decode(Google_Protobuf_Any.self, packed.jsonString()) == packed)
        #expect(try decode(Google_Protobuf_Any.self, "{}") == Google_Protobuf_Any())
        let unknown = #"{"@type":"type.googleapis.com/no.Such","x":1}"#
        #expect(throws: ProtoJSONError.self) { try decode(Google_Protobuf_Any.self, unknown) }
        #expect(throws: ProtoJSONError.self) { try decode(Google_Protobuf_Any.self, #"{"n":3}"#) }
        let wrong = #"{"any":{"@type":"type.googleapis.com/stress.shapes.Ping","n":"x"}}"#
        #expect(throws: ProtoJSONError.self) { try decode(Stress_Shapes_WellKnown.self, wrong) }
        let twice = #"{"@type":"type.googleapis.com/stress.shapes.Ping","@type":"type.googleapis.com/stress.shapes.Pong"}"#
        #expect(throws: ProtoJSONError.self) { try decode(Google_Protobuf_Any.self, twice) }
        // Any in Any.
        var outer = Google_Protobuf_Any()
        outer.typeUrl = "type.googleapis.com/google.protobuf.Any"
        outer.value = any.serializedBytes()
        #expect(outer.jsonString() == #"{"@type":"type.googleapis.com/google.protobuf.Any","value":{"@type":"type.googleapis.com/stress.shapes.Ping","n":3}}"#)
        #expect(try decode(Google_Protobuf_Any.self, outer.jsonString()) == outer)
    }

    /// Fuzzing found an Any holding a Struct whose packed bytes followed the map's iteration
    /// order, so reading our own JSON back changed the message. Packing is deterministic now:
    /// the same object, with its keys in any order, packs to the sorted encoding.
    @Test func anyPacksMapsDeterministically() throws {
        let keys = (0..<24).map { "k\($0)" }
        var expected = Google_Protobuf_Struct()
        for key in keys {
            var value = Google_Protobuf_Value()
            value.stringValue = key
            expected.fields[key] = value
        }
        let sorted = expected.serializedBytes(deterministic: true)
        for order in [keys, keys.reversed(), keys.shuffled(), keys.shuffled()] {
            let members = order.map { #""\#($0)":"\#($0)""# }.joined(separator: ",")
            let text = #"{"@type":"type.googleapis.com/google.protobuf.Struct","value":{"# + members + "}}"
            let any = try decode(Google_Protobuf_Any.self, text)
            #expect(any.value == sorted)
            #expect(try decode(Google_Protobuf_Any.self, any.jsonString()).value == sorted)
        }
    }

    @Test func byTypeFromTheRegistry() throws {
        let type: any ProtoMessage.Type = try #require(StressSchema.registry["stress.shapes.Ping"])
        let message = try type.init(jsonUTF8Bytes: Array(#"{"n":5}"#.utf8))
        #expect(message.jsonString() == #"{"n":5}"#)
        var v = Google_Protobuf_Value()
        v.numberValue = .nan
        #expect(throws: ProtoJSONError.self) { try v.checkedJSONUTF8Bytes() }
    }
}
