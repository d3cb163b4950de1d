import Testing
import PortalModel

/// Known answers from stock protoc (`protoc --encode=portal.v1.Complaint`), so a mobile client
/// generated from the same schema reads exactly what we write.
@Suite struct ComplaintCodecTests {
    /// protoc --encode of the text in `sample()` (see the test for how it was produced).
    static let protocBytes = """
        0a0f5053482d323032362d303030313233107b220557415445522a22d9bed8a7d986db8c20d986db81db8cdaba\
        20576174657220737570706c792063757432035053483a1709b515fbcbee01414011e86a2bf697e151401d0000\
        00004802520d0a02613110012080102a0201025a080880f7c4d5061005680270017a04100320017a022a008201\
        0d0a06736f757263651203617070
        """

    /// The message protoc encoded:
    ///   code: "PSH-2026-000123" id: 123 category_code: "WATER"
    ///   description: "پانی نہیں Water supply cut" district_code: "PSH"
    ///   location { latitude: 34.0151 longitude: 71.5249 accuracy_m: 0 }
    ///   status: COMPLAINT_STATUS_ASSIGNED
    ///   attachments { id: "a1" kind: ATTACHMENT_KIND_PHOTO size_bytes: 2048 sha256: "\001\002" }
    ///   filed_at { seconds: 1790000000 nanos: 5 } tier: TIER_DIVISION reopen_count: 1
    ///   timeline { actor_role: ROLE_DEPUTY_COMMISSIONER status: COMPLAINT_STATUS_NEW }
    ///   timeline { remark: "" } labels { key: "source" value: "app" }
    static func sample() -> Portal_V1_Complaint {
        var c = Portal_V1_Complaint()
        c.code = "PSH-2026-000123"
        c.id = 123
        c.categoryCode = "WATER"
        c.description_p = "پانی نہیں Water supply cut"
        c.districtCode = "PSH"
        var location = Portal_V1_GeoPoint()
        location.latitude = 34.0151
        location.longitude = 71.5249
        location.accuracyM = 0  // explicit presence: written although zero
        c.location = location
        c.status = .assigned
        var photo = Portal_V1_Attachment()
        photo.id = "a1"
        photo.kind = .photo
        photo.sizeBytes = 2048
        photo.sha256 = [1, 2]
        c.attachments = [photo]
        var filed = Google_Protobuf_Timestamp()
        filed.seconds = 1_790_000_000
        filed.nanos = 5
        c.filedAt = filed
        c.tier = .division
        c.reopenCount = 1
        var first = Portal_V1_ComplaintEvent()
        first.actorRole = .deputyCommissioner
        first.status = .new
        var second = Portal_V1_ComplaintEvent()
        second.remark = ""  // a oneof member set to its default is still written
        c.timeline = [first, second]
        c.labels = ["source": "app"]
        return c
    }

    @Test func encodesExactlyLikeProtoc() {
        #expect(hex(Self.sample().serializedBytes()) == Self.protocBytes)
        #expect(Self.sample().encodedSize == Self.protocBytes.count / 2)
    }

    @Test func decodesProtocOutput() throws {
        let decoded = try Portal_V1_Complaint(serializedBytes: bytes(hex: Self.protocBytes))
        #expect(decoded == Self.sample())
        #expect(decoded.location?.accuracyM == 0)
        #expect(decoded.timeline[1].change == .remark(""))
        #expect(decoded.updatedAt == nil)
    }

    @Test func defaultsAreElided() {
        #expect(Portal_V1_Complaint().serializedBytes().isEmpty)
        var c = Portal_V1_Complaint()
        c.code = ""
        c.status = .unspecified
        c.reopenCount = 0
        c.attachments = []
        #expect(c.serializedBytes().isEmpty)
        var p = Portal_V1_GeoPoint()
        p.latitude = -0.0  // negative zero is not the default bit pattern
        #expect(hex(p.serializedBytes()) == "090000000000000080")
    }

    @Test func appendBuildsInPlace() {
        var frame: [UInt8] = [0xAA, 0xBB]
        Self.sample().append(to: &frame)
        #expect(frame == [0xAA, 0xBB] + Self.sample().serializedBytes())
    }

    @Test func oneofAccessorsSelectTheCase() {
        var e = Portal_V1_ComplaintEvent()
        #expect(e.change == nil)
        #expect(e.remark == "")
        e.escalatedTo = .province
        #expect(e.change == .escalatedTo(.province))
        #expect(e.remark == "")
        e.remark = "moved"
        #expect(e.escalatedTo == .unspecified)
        #expect(e.change == .remark("moved"))
    }
}
