import PortalModel
import Testing
@testable import portal_client

/// The `--json` printer: proto3 JSON names and value forms for generated messages, and the
/// JSON writer and reader underneath.
struct MessageJSONTests {
    static func timestamp(_ seconds: Int64, _ nanos: Int32 = 0) -> Google_Protobuf_Timestamp {
        var t = Google_Protobuf_Timestamp()
        t.seconds = seconds
        t.nanos = nanos
        return t
    }

    static var complaint: Portal_V1_Complaint {
        var c = Portal_V1_Complaint()
        c.code = "PSH-2026-000001"
        c.id = 9_007_199_254_740_993  // 2^53 + 1: exact only as a string
        c.citizenId = "12"
        c.categoryCode = "water-supply"
        c.description_p = "No \"water\"\nfor five days"
        c.districtCode = "PSH"
        c.status = .infoRequested
        c.tier = .division
        c.filedAt = timestamp(1_767_225_600)  // 2026-01-01T00:00:00Z
        c.labels = ["zeta": "1", "alpha": "2"]
        var a = Portal_V1_Attachment()
        a.id = "att1"
        a.kind = .photo
        a.sha256 = [0xDE, 0xAD, 0xBE, 0xEF]
        a.sizeBytes = 3014
        c.attachments = [a]
        var assigned = Portal_V1_ComplaintEvent()
        assigned.at = timestamp(1_767_225_600, 250_000_000)
        assigned.actorRole = .deputyCommissioner
        assigned.actorName = "Sana Gul"
        var assignment = Portal_V1_ComplaintEvent.Assignment()
        assignment.officerIds = ["7", "9"]
        assigned.change = .assigned(assignment)
        var escalated = Portal_V1_ComplaintEvent()
        escalated.change = .escalatedTo(.division)
        c.timeline = [assigned, escalated]
        return c
    }

    @Test func fieldNamesAreJsonNamesAndReservedSuffixesAreDropped() throws {
        let json = MessageJSON.object(Self.complaint)
        guard case .object(let members) = json else { Issue.record("not an object"); return }
        let keys = members.map(\.0)
        #expect(keys.contains("description"))
        #expect(!keys.contains("description_p"))
        #expect(!keys.contains("unknownFields"))
        #expect(keys.contains("categoryCode") && keys.contains("assignedOfficerIds") && keys.contains("reopenCount"))
        // Field order follows the schema.
        #expect(Array(keys.prefix(4)) == ["code", "id", "citizenId", "categoryCode"])
        #expect(json["description"] == .string("No \"water\"\nfor five days"))
    }

    @Test func scalarForms() {
        let json = MessageJSON.object(Self.complaint)
        #expect(json["id"] == .string("9007199254740993"))            // uint64 as a string
        #expect(json["reopenCount"] == .number("0"))                   // uint32 as a number, default included
        #expect(json["status"] == .string("COMPLAINT_STATUS_INFO_REQUESTED"))
        #expect(json["tier"] == .string("TIER_DIVISION"))
        #expect(json["filedAt"] == .string("2026-01-01T00:00:00Z"))
        #expect(json.lookup("attachments.0.sha256") == .string("3q2+7w=="))
        #expect(json.lookup("attachments.0.sizeBytes") == .string("3014"))
        #expect(json.lookup("attachments.0.kind") == .string("ATTACHMENT_KIND_PHOTO"))
        #expect(json["labels"] == .object([("alpha", .string("2")), ("zeta", .string("1"))]))
        #expect(json["assignedOfficerIds"] == .array([]))                 // not bytes, though empty
        #expect(MessageJSON.object(Portal_V1_ListStaffResponse())["staff"] == .array([]))
        #expect(MessageJSON.object(Portal_V1_Attachment())["sha256"] == .string(""))
    }

    @Test func unsetMessagesOptionalsAndOneofsAreLeftOut() {
        let json = MessageJSON.object(Self.complaint)
        #expect(json["location"] == nil)
        #expect(json["feedback"] == nil)
        #expect(json["resolvedAt"] == nil)
        var point = Portal_V1_GeoPoint()
        point.latitude = 34.0151
        point.longitude = -71.5
        let withoutAccuracy = MessageJSON.object(point)
        #expect(withoutAccuracy == .object([("latitude", .number("34.0151")), ("longitude", .number("-71.5"))]))
        point.accuracyM = 12.5
        #expect(MessageJSON.object(point)["accuracyM"] == .number("12.5"))
        let empty = MessageJSON.object(Portal_V1_ComplaintEvent())
        #expect(empty == .object([("actorRole", .string("ROLE_UNSPECIFIED")), ("actorName", .string(""))]))
    }

    @Test func aSetOneofMemberIsItsOwnField() {
        let json = MessageJSON.object(Self.complaint)
        #expect(json.lookup("timeline.0.assigned.officerIds") == .array([.string("7"), .string("9")]))
        #expect(json.lookup("timeline.0.at") == .string("2026-01-01T00:00:00.250Z"))
        #expect(json.lookup("timeline.0.actorRole") == .string("ROLE_DEPUTY_COMMISSIONER"))
        #expect(json.lookup("timeline.1.escalatedTo") == .string("TIER_DIVISION"))
        #expect(json.lookup("timeline.1.change") == nil)
        var login = Portal_V1_CitizenLoginRequest()
        login.identity = .mobile("03001234567")
        let loginJSON = MessageJSON.object(login)
        #expect(loginJSON["mobile"] == .string("03001234567"))
        #expect(loginJSON["cnic"] == nil)
        #expect(loginJSON["identity"] == nil)
        #expect(loginJSON["password"] == .string(""))
    }

    @Test func optionalScalarsAppearOnlyWhenSet() {
        var update = Portal_V1_UpdateStaffRequest()
        update.staffId = "7"
        update.active = false
        update.role = .commissioner
        #expect(MessageJSON.object(update) == .object([
            ("staffId", .string("7")), ("role", .string("ROLE_COMMISSIONER")), ("active", .bool(false)),
        ]))
    }

    @Test func reservedNameOnAuditEntryHash() {
        var e = Portal_V1_AuditEntry()
        e.hash_p = [0xFF, 0x00]
        let json = MessageJSON.object(e)
        #expect(json["hash"] == .string("/wA="))
        #expect(json["hash_p"] == nil)
    }

    @Test func unknownEnumNumbersAndSpecialFloats() {
        var m = Portal_V1_CitizenMessage()
        m.kind = Portal_V1_MessageKind(rawValue: 99)
        #expect(MessageJSON.object(m)["kind"] == .number("99"))
        var officer = Portal_V1_OfficerFigures()
        officer.medianResolutionHours = .nan
        #expect(MessageJSON.object(officer)["medianResolutionHours"] == .string("NaN"))
        officer.medianResolutionHours = -.infinity
        #expect(MessageJSON.object(officer)["medianResolutionHours"] == .string("-Infinity"))
    }

    @Test func wellKnownTypes() {
        #expect(MessageJSON.object(Self.timestamp(0, 1000)) == .string("1970-01-01T00:00:00.000001Z"))
        #expect(MessageJSON.object(Self.timestamp(-1, 5)) == .string("1969-12-31T23:59:59.000000005Z"))
        var d = Google_Protobuf_Duration()
        d.seconds = 1
        d.nanos = 500_000_000
        #expect(MessageJSON.object(d) == .string("1.500s"))  // 0, 3, 6 or 9 fraction digits, as protobuf writes them
        var w = Google_Protobuf_Int64Value()
        w.value = -3
        #expect(MessageJSON.object(w) == .string("-3"))
    }

    @Test func prettyAndCompactSerialization() {
        var s = Portal_V1_Session()
        s.token = "t\u{1}k"
        s.role = .citizen
        s.subjectId = "12"
        let compact = MessageJSON.object(s).serialized(pretty: false)
        #expect(compact == #"{"token":"t\u0001k","role":"ROLE_CITIZEN","subjectId":"12"}"#)
        let pretty = MessageJSON.object(s).serialized(pretty: true)
        #expect(pretty == "{\n  \"token\": \"t\\u0001k\",\n  \"role\": \"ROLE_CITIZEN\",\n  \"subjectId\": \"12\"\n}")
        #expect(JSONValue.array([]).serialized() == "[]")
        #expect(JSONValue.object([]).serialized() == "{}")
    }

    @Test func whatThePrinterWritesTheReaderReadsBack() throws {
        let original = MessageJSON.object(Self.complaint)
        #expect(try JSONValue.parse(original.serialized(pretty: true)) == original)
        #expect(try JSONValue.parse(original.serialized(pretty: false)) == original)
        let urdu = JSONValue.object([("name", .string("پشاور")), ("tab", .string("a\tb\\c/\u{7F}"))])
        #expect(try JSONValue.parse(urdu.serialized()) == urdu)
    }

    @Test func readerAcceptsRFC8259AndRejectsTheRest() throws {
        #expect(try JSONValue.parse(" [1, -2.5e+3, true, false, null, \"\\u00e9\\ud83d\\ude00\\/\"] ")
                == .array([.number("1"), .number("-2.5e+3"), .bool(true), .bool(false), .null, .string("é😀/")]))
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"\u{1}\"", "tru", "[1] 2", "\"\\ud800\""] {
            #expect(throws: JSONValue.ParseError.self, "\(bad) should not parse") { try JSONValue.parse(bad) }
        }
    }

    @Test func fieldPathsForScripts() throws {
        var r = Portal_V1_CreateStaffResponse()
        var s = Portal_V1_StaffMember()
        s.id = "7"
        s.active = true
        r.staff = s
        r.oneTimePassword = "otp-1"
        #expect(try Runner.field("staff.id", of: r) == "7")
        #expect(try Runner.field("oneTimePassword", of: r) == "otp-1")
        #expect(try Runner.field("staff.active", of: r) == "true")
        #expect(try Runner.field("staff.role", of: r) == "ROLE_UNSPECIFIED")
        #expect(throws: UsageError.self) { try Runner.field("staff.nope", of: r) }
    }
}
