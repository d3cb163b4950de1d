// The same rows as swift-protobuf messages (protoc-gen-swift 1.39.0 output in
// SwiftProtobufMessages; Timestamp from the SwiftProtobuf library).
import Foundation
import SwiftProtobuf
import SwiftProtobufMessages

typealias SPAllTypes = SwiftProtobufMessages.ProtobufTestMessages_Proto3_TestAllTypesProto3
typealias SPComplaint = SwiftProtobufMessages.Portal_V1_Complaint

enum SwiftProtobufFixtures {
    static func sevenFields() -> SPAllTypes {
        var m = SPAllTypes()
        m.optionalInt32 = Fixtures.int32Value
        m.optionalInt64 = Fixtures.int64Value
        m.optionalDouble = Fixtures.doubleValue
        m.optionalString = Fixtures.stringValue
        m.optionalBytes = Data(Fixtures.bytesValue)
        var nested = SPAllTypes.NestedMessage()
        nested.a = Fixtures.nestedA
        m.optionalNestedMessage = nested
        m.repeatedInt32 = Fixtures.repeatedInt32
        return m
    }

    static func packedInt32() -> SPAllTypes {
        var m = SPAllTypes()
        m.packedInt32 = Fixtures.packedInt32
        return m
    }

    static func strings() -> SPAllTypes {
        var m = SPAllTypes()
        m.repeatedString = Fixtures.strings
        return m
    }

    static func blob() -> SPAllTypes {
        var m = SPAllTypes()
        m.optionalBytes = Data(Fixtures.blob)
        return m
    }

    static func timestamp(hoursAfterFiling h: Int64) -> Google_Protobuf_Timestamp {
        Google_Protobuf_Timestamp(seconds: Fixtures.filedAtSeconds + h * Fixtures.hour, nanos: Fixtures.filedAtNanos)
    }

    static func complaint() -> SPComplaint {
        var c = SPComplaint()
        c.code = Fixtures.complaintCode
        c.id = Fixtures.complaintID
        c.citizenID = Fixtures.citizenID
        c.categoryCode = Fixtures.categoryCode
        c.description_p = Fixtures.description
        c.districtCode = Fixtures.districtCode
        var p = Portal_V1_GeoPoint()
        p.latitude = Fixtures.latitude
        p.longitude = Fixtures.longitude
        p.accuracyM = Fixtures.accuracyM
        c.location = p
        c.address = Fixtures.address
        c.status = Portal_V1_ComplaintStatus(rawValue: Int(Fixtures.complaintStatus))!
        c.attachments = Fixtures.attachments.map { a in
            var x = Portal_V1_Attachment()
            x.id = a.id
            x.kind = Portal_V1_AttachmentKind(rawValue: Int(a.kind))!
            x.contentType = a.contentType
            x.sizeBytes = a.sizeBytes
            x.sha256 = Data(a.sha256)
            return x
        }
        c.filedAt = timestamp(hoursAfterFiling: 0)
        c.updatedAt = timestamp(hoursAfterFiling: Fixtures.updatedAtHours)
        c.tier = Portal_V1_Tier(rawValue: Int(Fixtures.complaintTier))!
        c.reopenCount = Fixtures.reopenCount
        c.timeline = Fixtures.timeline.map { e in
            var x = Portal_V1_ComplaintEvent()
            x.at = timestamp(hoursAfterFiling: e.hoursAfterFiling)
            x.actorRole = Portal_V1_Role(rawValue: Int(e.actorRole))!
            x.actorName = e.actorName
            switch e.change {
            case .status(let s): x.status = Portal_V1_ComplaintStatus(rawValue: Int(s))!
            case .remark(let r): x.remark = r
            case .assigned(let ids):
                var a = Portal_V1_ComplaintEvent.Assignment()
                a.officerIds = ids
                x.assigned = a
            case .escalatedTo(let t): x.escalatedTo = Portal_V1_Tier(rawValue: Int(t))!
            }
            return x
        }
        c.labels = Fixtures.labels
        return c
    }
}
