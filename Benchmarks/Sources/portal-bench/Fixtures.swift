/// The values every benchmark row is built from, as plain Swift data, so that the
/// CitizenPortal message and the swift-protobuf message of a row hold exactly the same thing.
enum Fixtures {
    // MARK: TestAllTypesProto3 with 7 fields set

    static let int32Value: Int32 = 150
    /// Negative: a ten-byte varint on the wire.
    static let int64Value: Int64 = -9_876_543_210
    static let doubleValue = 2.718281828459045
    static let stringValue = "The quick brown fox jumps over the lazy dog"
    static let bytesValue: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    static let nestedA: Int32 = 42
    /// Packed on the wire (proto3 default); 1-, 2-, 3- and 10-byte varints.
    static let repeatedInt32: [Int32] = [1, 2, 300, 70_000, -5]

    // MARK: packed int32 ×1000

    /// Deterministic mix of widths: 1- to 5-byte varints, and one value in 16 negative
    /// (ten bytes on the wire, as protobuf sign-extends int32).
    static let packedInt32: [Int32] = {
        var rng = SplitMix64(seed: 0x5EED_0001)
        let widths: [UInt64] = [7, 14, 21, 28, 31]
        return (0..<1000).map { i in
            let width = widths[i % widths.count]
            let value = Int32(truncatingIfNeeded: rng.next() & ((1 << width) - 1))
            return i % 16 == 15 ? -value - 1 : value
        }
    }()

    // MARK: repeated string ×100

    /// 100 strings of 7 to 41 bytes (28 of them short enough for Swift's inline small-string
    /// form): 90 ASCII, 10 Urdu (multi-byte UTF-8).
    static let strings: [String] = (0..<100).map { i in
        if i % 10 == 9 { return "شکایت نمبر \(i) درج ہو گئی" }
        let words = ["district", "officer", "water", "supply", "road", "repair", "school", "hospital"]
        return (0..<(1 + i % 5)).map { words[(i + $0) % words.count] }.joined(separator: "-") + "-\(i)"
    }

    // MARK: 64 KiB bytes

    static let blob: [UInt8] = {
        var rng = SplitMix64(seed: 0x5EED_0002)
        return (0..<65_536).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }()

    // MARK: Complaint

    static let filedAtSeconds: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z
    static let filedAtNanos: Int32 = 123_000_000
    static let hour: Int64 = 3600

    static let complaintCode = "PSH-2026-000123"
    static let complaintID: UInt64 = 90_071_992_547
    static let citizenID = "CNIC-35202-1234567-1"
    static let categoryCode = "WATER_SUPPLY"
    /// About 200 characters, Urdu and English.
    static let description =
        "Water supply to our street in Gulberg has been cut off for five days. " +
        "پانچ دن سے پانی بند ہے، بچے اور بزرگ شدید مشکل میں ہیں۔ " +
        "The tanker mafia charges Rs 3000 a load; please restore the line urgently."
    static let districtCode = "PK-PB-LHR"
    static let latitude = 31.520_370
    static let longitude = 74.358_749
    static let accuracyM: Float = 8.5
    static let address = "House 12, Street 4, Gulberg III, Lahore"
    static let reopenCount: UInt32 = 1

    struct AttachmentData {
        let id: String
        let kind: Int32  // AttachmentKind number
        let contentType: String
        let sizeBytes: UInt64
        let sha256: [UInt8]
    }

    static let attachments: [AttachmentData] = [
        AttachmentData(id: "att-7f3c9a1e", kind: 1, contentType: "image/jpeg", sizeBytes: 482_113,
                       sha256: (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 5) }),
        AttachmentData(id: "att-19b2d004", kind: 2, contentType: "audio/ogg", sizeBytes: 95_872,
                       sha256: (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 9) }),
    ]

    enum Change {
        case status(Int32)  // ComplaintStatus number
        case remark(String)
        case assigned([String])
        case escalatedTo(Int32)  // Tier number
    }

    struct EventData {
        let hoursAfterFiling: Int64
        let actorRole: Int32  // Role number
        let actorName: String
        let change: Change
    }

    static let timeline: [EventData] = [
        EventData(hoursAfterFiling: 0, actorRole: 1, actorName: "Ayesha Khan", change: .status(1)),
        EventData(hoursAfterFiling: 2, actorRole: 3, actorName: "DC Lahore",
                  change: .assigned(["OFF-1021", "OFF-1187"])),
        EventData(hoursAfterFiling: 26, actorRole: 2, actorName: "Engr. Bilal Ahmed",
                  change: .remark("Site visited; main valve damaged. مرمت کا کام جاری ہے۔")),
        EventData(hoursAfterFiling: 74, actorRole: 4, actorName: "Commissioner Lahore Division",
                  change: .escalatedTo(2)),
        EventData(hoursAfterFiling: 98, actorRole: 2, actorName: "Engr. Bilal Ahmed", change: .status(2)),
    ]

    static let complaintStatus: Int32 = 2  // ASSIGNED
    static let complaintTier: Int32 = 2  // DIVISION
    static let updatedAtHours: Int64 = 98

    static let labels: [String: String] = ["channel": "mobile-app", "language": "ur", "priority": "high"]
}

/// A small deterministic generator (SplitMix64), so every run builds the same data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
