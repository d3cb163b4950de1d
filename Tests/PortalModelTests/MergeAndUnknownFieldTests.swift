import Testing
import PortalModel

/// Protobuf's merge rules, open enums and unknown-field preservation on generated types.
@Suite struct MergeAndUnknownFieldTests {
    @Test func concatenatedEncodingsMerge() throws {
        var a = Portal_V1_Complaint()
        a.code = "A"
        a.attachments = [Portal_V1_Attachment()]
        a.location = Portal_V1_GeoPoint()
        a.location?.latitude = 1
        var b = Portal_V1_Complaint()
        b.code = "B"
        b.attachments = [Portal_V1_Attachment()]
        b.location = Portal_V1_GeoPoint()
        b.location?.longitude = 2
        let merged = try Portal_V1_Complaint(serializedBytes: a.serializedBytes() + b.serializedBytes())
        #expect(merged.code == "B")                  // scalars: last one wins
        #expect(merged.attachments.count == 2)       // repeated: appended
        #expect(merged.location?.latitude == 1)      // messages: merged field by field
        #expect(merged.location?.longitude == 2)
    }

    @Test func unrecognisedEnumNumbersSurviveARoundTrip() throws {
        let bytes: [UInt8] = [0x48, 0x63]  // status (field 9) = 99
        let c = try Portal_V1_Complaint(serializedBytes: bytes)
        #expect(c.status == .UNRECOGNIZED(99))
        #expect(c.status.rawValue == 99)
        #expect(c.status.protoName == nil)
        #expect(c.serializedBytes() == bytes)
        #expect(Portal_V1_ComplaintStatus(rawValue: 4) == .resolved)
        #expect(Portal_V1_ComplaintStatus.resolved.protoName == "COMPLAINT_STATUS_RESOLVED")
        #expect(Portal_V1_ComplaintStatus.allCases.count == 8)
    }

    @Test func unknownFieldsAreReemittedAfterKnownOnes() throws {
        // code = "X", then unknown field 99 (varint 7) and unknown field 100 (string "hi").
        let unknown: [UInt8] = [0x98, 0x06, 0x07, 0xA2, 0x06, 0x02, 0x68, 0x69]
        let input: [UInt8] = unknown + [0x0A, 0x01, 0x58]
        let c = try Portal_V1_Complaint(serializedBytes: input)
        #expect(c.code == "X")
        #expect(c.unknownFields.bytes == unknown)
        #expect(c.serializedBytes() == [0x0A, 0x01, 0x58] + unknown)
    }

    @Test func wrongWireTypeForAKnownFieldIsKeptAsUnknown() throws {
        // Field 1 (code, a string) sent as a varint: protobuf keeps it as an unknown field.
        let input: [UInt8] = [0x08, 0x05]
        let c = try Portal_V1_Complaint(serializedBytes: input)
        #expect(c.code == "")
        #expect(c.serializedBytes() == input)
    }

    @Test func invalidUTF8InAStringFieldIsAnError() {
        #expect(throws: ProtoDecodingError.invalidUTF8(fieldNumber: 5)) {
            try Portal_V1_Complaint(serializedBytes: [0x2A, 0x02, 0xC0, 0x80])
        }
    }

    @Test func truncatedNestedMessageIsAnError() {
        // location (field 7) claims 9 bytes but the fixed64 inside is cut short.
        #expect(throws: ProtoDecodingError.truncated) {
            try Portal_V1_Complaint(serializedBytes: [0x3A, 0x05, 0x09, 0x00, 0x00, 0x00, 0x00])
        }
    }
}
