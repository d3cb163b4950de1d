// CitizenPortal (PortalWire + portal-codegen) messages of the TestAllTypesProto3 rows.
import PortalBenchMessages

typealias PortalAllTypes = PortalBenchMessages.ProtobufTestMessages_Proto3_TestAllTypesProto3

enum PortalAllTypesFixtures {
    static func sevenFields() -> PortalAllTypes {
        var m = PortalAllTypes()
        m.optionalInt32 = Fixtures.int32Value
        m.optionalInt64 = Fixtures.int64Value
        m.optionalDouble = Fixtures.doubleValue
        m.optionalString = Fixtures.stringValue
        m.optionalBytes = Fixtures.bytesValue
        var nested = PortalAllTypes.NestedMessage()
        nested.a = Fixtures.nestedA
        m.optionalNestedMessage = nested
        m.repeatedInt32 = Fixtures.repeatedInt32
        return m
    }

    static func packedInt32() -> PortalAllTypes {
        var m = PortalAllTypes()
        m.packedInt32 = Fixtures.packedInt32
        return m
    }

    static func strings() -> PortalAllTypes {
        var m = PortalAllTypes()
        m.repeatedString = Fixtures.strings
        return m
    }

    static func blob() -> PortalAllTypes {
        var m = PortalAllTypes()
        m.optionalBytes = Fixtures.blob
        return m
    }
}
