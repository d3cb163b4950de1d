// CitizenPortal's own Complaint (the PortalModel product).
import PortalModel

typealias PortalComplaint = PortalModel.Portal_V1_Complaint

enum PortalComplaintFixture {
    static func timestamp(hoursAfterFiling h: Int64) -> PortalModel.Google_Protobuf_Timestamp {
        var t = PortalModel.Google_Protobuf_Timestamp()
        t.seconds = Fixtures.filedAtSeconds + h * Fixtures.hour
        t.nanos = Fixtures.filedAtNanos
        return t
    }

    static func make() -> PortalComplaint {
        var c = PortalComplaint()
        c.code = Fixtures.complaintCode
        c.id = Fixtures.complaintID
        c.citizenId = Fixtures.citizenID
        c.categoryCode = Fixtures.categoryCode
        c.description_p = Fixtures.description
        c.districtCode = Fixtures.districtCode
        var p = Portal_V1_GeoPoint()
        p.latitude = Fixtures.latitude
        p.longitude = Fixtures.longitude
        p.accuracyM = Fixtures.accuracyM
        c.location = p
        c.address = Fixtures.address
        c.status = Portal_V1_ComplaintStatus(rawValue: Fixtures.complaintStatus)
        c.attachments = Fixtures.attachments.map { a in
            var x = Portal_V1_Attachment()
            x.id = a.id
            x.kind = Portal_V1_AttachmentKind(rawValue: a.kind)
            x.contentType = a.contentType
            x.sizeBytes = a.sizeBytes
            x.sha256 = a.sha256
            return x
        }
        c.filedAt = timestamp(hoursAfterFiling: 0)
        c.updatedAt = timestamp(hoursAfterFiling: Fixtures.updatedAtHours)
        c.tier = Portal_V1_Tier(rawValue: Fixtures.complaintTier)
        c.reopenCount = Fixtures.reopenCount
        c.timeline = Fixtures.timeline.map { e in
            var x = Portal_V1_ComplaintEvent()
            x.at = timestamp(hoursAfterFiling: e.hoursAfterFiling)
            x.actorRole = Portal_V1_Role(rawValue: e.actorRole)
            x.actorName = e.actorName
            switch e.change {
            case .status(let s): x.status = Portal_V1_ComplaintStatus(rawValue: s)
            case .remark(let r): x.remark = r
            case .assigned(let ids):
                var a = Portal_V1_ComplaintEvent.Assignment()
                a.officerIds = ids
                x.assigned = a
            case .escalatedTo(let t): x.escalatedTo = Portal_V1_Tier(rawValue: t)
            }
            return x
        }
        c.labels = Fixtures.labels
        return c
    }
}
