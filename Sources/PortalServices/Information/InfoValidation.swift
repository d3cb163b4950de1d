import PortalModel

/// Paging shared by the information and e-services lists: `page_size` 1-500 (0 means 50),
/// opaque tokens made of one or two integers.
enum InfoPaging {
    static func size(_ p: Portal_V1_PageRequest?) throws(PortalError) -> Int {
        let size = Int(p?.pageSize ?? 0)
        guard size <= 500 else { throw .invalidArgument(field: "page.page_size", reason: "at most 500") }
        return size == 0 ? 50 : size
    }

    /// The token's integers (`count` of them), or nil on the first page.
    static func token(_ p: Portal_V1_PageRequest?, count: Int) throws(PortalError) -> [Int64]? {
        guard let raw = p?.pageToken, !raw.isEmpty else { return nil }
        let values = raw.split(separator: ".", omittingEmptySubsequences: false).compactMap { Int64($0) }
        guard values.count == count, raw.utf8.count <= 64, raw.split(separator: ".").count == count, values.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArgument(field: "page.page_token", reason: "is not a token from a previous page")
        }
        return values
    }

    static func token(_ values: Int64...) -> String { values.map(String.init).joined(separator: ".") }

    static func info(next: String?, total: Int64) -> Portal_V1_PageInfo {
        var info = Portal_V1_PageInfo()
        info.nextPageToken = next ?? ""
        info.totalCount = UInt64(max(total, 0))
        return info
    }
}

/// Checks shared by the information and e-services requests.
enum InfoValidation {
    /// A positive id sent as uint64.
    static func id(_ v: UInt64, field: String) throws(PortalError) -> Int64 {
        guard v != 0 else { throw .missing(field) }
        guard v <= UInt64(Int64.max) else { throw .invalidArgument(field: field, reason: "is not a valid id") }
        return Int64(v)
    }

    /// A set timestamp in Unix milliseconds.
    static func time(_ t: Google_Protobuf_Timestamp?, field: String) throws(PortalError) -> Int64 {
        guard let t else { throw .missing(field) }
        guard let ms = t.millisIfValid else { throw .invalidArgument(field: field, reason: "is not a valid time") }
        return ms
    }

    static func optionalTime(_ t: Google_Protobuf_Timestamp?, field: String) throws(PortalError) -> Int64? {
        guard let t else { return nil }
        return try time(t, field: field)
    }

    /// Lower-case letters, digits and '-', 2-32 characters (commodity and guide codes).
    static func slug(_ s: String, field: String) throws(PortalError) -> String {
        guard !s.isEmpty else { throw .missing(field) }
        guard (2...32).contains(s.utf8.count), s.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
            throw .invalidArgument(field: field, reason: "must be 2-32 lower-case letters, digits or '-'")
        }
        return s
    }

    /// A known department code.
    static func department(_ code: String, field: String, directory: Directory) throws(PortalError) -> String {
        guard !code.isEmpty else { throw .missing(field) }
        guard directory.department(code) != nil else { throw .invalidArgument(field: field, reason: "is not a known department") }
        return code
    }

    /// A list of short texts: at most `max` entries of 1-`length` characters each.
    static func texts(_ items: [String], field: String, max: Int, length: Int) throws(PortalError) -> [String] {
        guard items.count <= max else { throw .invalidArgument(field: field, reason: "at most \(max) entries") }
        var out: [String] = []
        for (i, s) in items.enumerated() { out.append(try PortalValidation.text(s, field: "\(field)[\(i)]", min: 1, max: length)) }
        return out
    }

    /// A client-chosen idempotency key or event id: 8-64 letters, digits, '-', '_', '.', ':'.
    static func key(_ s: String, field: String) throws(PortalError) -> String {
        guard (8...64).contains(s.utf8.count),
              s.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || $0 == 0x3A })
        else { throw .invalidArgument(field: field, reason: "must be 8-64 characters of letters, digits, '-', '_', '.', ':'") }
        return s
    }

    static func placeholders(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ", ") }
}
