import Testing
import PortalWire

/// Fields and cases named like Swift keywords, Swift types or generated members still
/// compile, keep their wire numbers and round-trip.
@Suite struct NamingTests {
    @Test func keywordFieldsRoundTrip() throws {
        var m = Stress_Names_Swifty()
        m.`class` = "c"
        m.`default` = "d"
        m.`return` = 3
        m.`true` = true
        m.self_p = "s"
        m.unknownFields_p = "u"
        m.description_p = "desc"
        m.hashValue_p = "h"
        m.encodedSize_p = 9
        m.serializedBytes_p = "b"
        m.type = Stress_Names_Type()
        m.type?.protocol = 1
        m.protocol = Stress_Names_Protocol()
        m.protocol?.self_p = "p"
        m.keyword = .type
        m.leadingUnderscore = "l"
        m.trailingUnderscore = "t"
        m.urlPath = "/u"
        m.`in` = "i"
        m.`case` = "k"
        m.levels = [.level0, .level1, .high]
        m.aliased = .running
        m.init_p = "init"
        m.merge_p = "merge"
        let decoded = try Stress_Names_Swifty(serializedBytes: m.serializedBytes())
        #expect(decoded == m)
        #expect(decoded.unknownFields.isEmpty)
        #expect(decoded.switch == .case("k"))
    }

    @Test func wireNumbersFollowTheSchema() throws {
        var m = Stress_Names_Swifty()
        m.unknownFields_p = "x"  // field 6, not the unknown-field storage
        #expect(m.serializedBytes() == [0x32, 0x01, 0x78])
        m = Stress_Names_Swifty()
        m.where = 5  // oneof member, field 19
        #expect(m.serializedBytes() == [0x98, 0x01, 0x05])
    }

    @Test func enumCasesAndAliases() {
        #expect(Stress_Names_Keyword.allCases.map(\.rawValue) == Array(0...7))
        #expect(Stress_Names_Keyword.default.protoName == "KEYWORD_DEFAULT")
        #expect(Stress_Names_Keyword(rawValue: 7) == .unrecognized)
        #expect(Stress_Names_Keyword(rawValue: 8) == .UNRECOGNIZED(8))
        #expect(Stress_Names_Aliased.running == .started)
        #expect(Stress_Names_Aliased.running.protoName == "ALIASED_STARTED")
        #expect(Stress_Names_Aliased.allCases.count == 2)
        #expect(Stress_Names_Level.level0.rawValue == 0 && Stress_Names_Level.high.rawValue == 2)
    }
}
