import PortalSecurity

/// Request-field checks shared by the services. Each failure is INVALID_ARGUMENT naming the
/// field; none echoes the value.
enum PortalValidation {
    static func name(_ s: String, field: String) throws(PortalError) -> String {
        do { return try PersonName(s, field: field).value } catch { throw PortalError(error) }
    }

    /// 13 bare digits.
    static func cnic(_ s: String, field: String) throws(PortalError) -> String {
        guard !s.isEmpty else { throw .missing(field) }
        do { return try CNIC(s, field: field).digits } catch { throw PortalError(error) }
    }

    /// +923XXXXXXXXX.
    static func mobile(_ s: String, field: String) throws(PortalError) -> String {
        guard !s.isEmpty else { throw .missing(field) }
        do { return try MobileNumber(s, field: field).e164 } catch { throw PortalError(error) }
    }

    /// Empty when not given.
    static func email(_ s: String, field: String) throws(PortalError) -> String {
        do { return try EmailAddress.optional(s.isEmpty ? nil : s, field: field)?.address ?? "" } catch { throw PortalError(error) }
    }

    static func password(_ s: String, field: String, cnic: String?, mobile: String?) throws(PortalError) {
        guard !s.isEmpty else { throw .missing(field) }
        do {
            try PasswordPolicy.check(s, cnic: try cnic.map { try CNIC($0) }, mobile: try mobile.map { try MobileNumber($0) }, field: field)
        } catch { throw PortalError(error) }
    }

    static func geoPoint(latitude: Double, longitude: Double, field: String) throws(PortalError) {
        do { _ = try GeoPoint(latitude: latitude, longitude: longitude, field: field) } catch { throw PortalError(error) }
    }

    /// A positive decimal id (citizen, staff).
    static func id(_ s: String, field: String) throws(PortalError) -> Int64 {
        guard !s.isEmpty else { throw .missing(field) }
        guard s.utf8.count <= 19, let v = Int64(s), v > 0 else { throw .invalidArgument(field: field, reason: "is not a valid id") }
        return v
    }

    /// Free text: trimmed of surrounding white space, length in characters, no control
    /// characters other than newlines and tabs.
    static func text(_ s: String, field: String, min: Int, max: Int) throws(PortalError) -> String {
        let trimmed = s.trimmingWhitespace
        let scan = TextScan(trimmed)
        let count = scan.asciiCharacterCount ?? trimmed.count
        if count < min { throw min == 1 ? .missing(field) : .invalidArgument(field: field, reason: "must be at least \(min) characters") }
        if count > max { throw .invalidArgument(field: field, reason: "must be at most \(max) characters") }
        if scan.hasControlCharacter {
            throw .invalidArgument(field: field, reason: "must not contain control characters")
        }
        return trimmed
    }

    /// A complaint code such as PSH-2026-000123 (upper-cased; at most 32 characters).
    static func complaintCode(_ s: String, field: String) throws(PortalError) -> String {
        guard !s.isEmpty else { throw .missing(field) }
        let upper = s.uppercased()
        guard upper.utf8.count <= 32,
              upper.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x2D })
        else { throw .invalidArgument(field: field, reason: "is not a complaint code (like PSH-2026-000123)") }
        return upper
    }

    /// Attachment ids from UploadAttachment: unique, at most `max`.
    static func attachmentIDs(_ ids: [String], max: Int) throws(PortalError) -> [String] {
        guard ids.count <= max else { throw .invalidArgument(field: "attachment_ids", reason: "at most \(max) attachments") }
        guard Set(ids).count == ids.count else { throw .invalidArgument(field: "attachment_ids", reason: "lists an attachment twice") }
        for id in ids {
            guard (16...64).contains(id.utf8.count),
                  id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
            else { throw .invalidArgument(field: "attachment_ids", reason: "contains an id that is not an upload id") }
        }
        return ids
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if start == scalars.startIndex && scalars.index(after: end) == scalars.endIndex { return self }
        return String(scalars[start...end])
    }
}
