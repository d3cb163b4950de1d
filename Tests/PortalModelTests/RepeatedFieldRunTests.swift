import Testing
import PortalModel

/// Generated decoders hand a run of one repeated message or string field to the reader,
/// which decodes a field's first run through stack space (as many elements as fit in 1 KiB)
/// and counts only what goes past it. These tests cover runs of every length up to well past
/// that space, for element types of different sizes, through the generated code.
@Suite struct RepeatedFieldRunTests {
    static func attachment(_ i: Int) -> Portal_V1_Attachment {
        var a = Portal_V1_Attachment()
        a.id = "att-\(i)"
        a.kind = i % 3 == 0 ? .photo : .video
        a.contentType = i % 2 == 0 ? "image/jpeg" : ""
        a.sizeBytes = UInt64(i * 1000)
        a.sha256 = (0..<(i % 33)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
        return a
    }

    static func event(_ i: Int) -> Portal_V1_ComplaintEvent {
        var e = Portal_V1_ComplaintEvent()
        e.actorName = "officer \(i)"
        if i % 2 == 0 { e.remark = "remark \(i)" } else { e.status = .assigned }
        return e
    }

    static func complaint(_ n: Int) -> Portal_V1_Complaint {
        var c = Portal_V1_Complaint()
        c.code = "PSH-2026-\(n)"
        c.attachments = (0..<n).map(attachment)
        c.timeline = (0..<(n / 2 + 1)).map(event)
        c.assignedOfficerIds = (0..<n).map { "staff-\($0)" }
        return c
    }

    @Test func longRunsOfMessagesAndStringsRoundTrip() throws {
        for n in Array(0...40) + [63, 64, 65, 100, 127, 128, 129, 200, 300] {
            let c = Self.complaint(n)
            let decoded = try Portal_V1_Complaint(serializedBytes: c.serializedBytes())
            #expect(decoded == c, "\(n) elements")
            #expect(decoded.attachments.count == n)
        }
    }

    /// A second encoding appended to the first merges: repeated fields append (the second run
    /// of each field goes to a non-empty array).
    @Test func concatenatedEncodingsAppendEveryRun() throws {
        for (a, b) in [(3, 70), (70, 3), (65, 130), (0, 200)] {
            let first = Self.complaint(a)
            let second = Self.complaint(b)
            let merged = try Portal_V1_Complaint(serializedBytes: first.serializedBytes() + second.serializedBytes())
            #expect(merged.attachments == first.attachments + second.attachments, "\(a) + \(b)")
            #expect(merged.timeline == first.timeline + second.timeline, "\(a) + \(b)")
            #expect(merged.assignedOfficerIds == first.assignedOfficerIds + second.assignedOfficerIds, "\(a) + \(b)")
        }
    }

    /// Every proper prefix of an encoding with long runs is rejected (none decodes to a
    /// message with elements lost), whether the cut falls in the staged part of a run or in
    /// the counted part.
    @Test func everyCutOfALongRunIsRejected() {
        let bytes = Self.complaint(90).serializedBytes()
        var accepted: [Int] = []
        for cut in stride(from: 1, to: bytes.count, by: 7) {
            // A cut that happens to fall between two top-level fields is a valid, shorter message.
            if let m = try? Portal_V1_Complaint(serializedBytes: Array(bytes.prefix(cut))) {
                // Then it must be exactly the fields before the cut, the last element whole.
                let reencoded = m.serializedBytes()
                if reencoded != Array(bytes.prefix(cut)) { accepted.append(cut) }
            }
        }
        #expect(accepted.isEmpty, "prefixes that decoded to something else: \(accepted)")
    }
}
