/// Shapes of the codes admins give jurisdictions, departments and categories.
enum ReferenceCodes {
    /// Upper-case letters, digits and '-', 2-16 characters (PSH, DIV-PSH, KP).
    static func jurisdiction(_ s: String) throws(PortalError) -> String {
        try check(s, field: "jurisdiction.code", max: 16, allowed: { isUpper($0) || isDigit($0) || $0 == 0x2D },
                  shape: "2-16 upper-case letters, digits or '-'")
    }

    /// Upper-case letters, digits, '-' and '&', 2-16 characters (LGE, PHE, C&W).
    static func department(_ s: String) throws(PortalError) -> String {
        try check(s, field: "department.code", max: 16, allowed: { isUpper($0) || isDigit($0) || $0 == 0x2D || $0 == 0x26 },
                  shape: "2-16 upper-case letters, digits, '-' or '&'")
    }

    /// Lower-case letters, digits and '-', 2-32 characters (water-supply).
    static func category(_ s: String) throws(PortalError) -> String {
        try check(s, field: "category.code", max: 32, allowed: { ($0 >= 0x61 && $0 <= 0x7A) || isDigit($0) || $0 == 0x2D },
                  shape: "2-32 lower-case letters, digits or '-'")
    }

    private static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static func check(_ s: String, field: String, max: Int, allowed: (UInt8) -> Bool, shape: String) throws(PortalError) -> String {
        guard !s.isEmpty else { throw .missing(field) }
        guard (2...max).contains(s.utf8.count), s.utf8.allSatisfy(allowed) else { throw .invalidArgument(field: field, reason: "must be \(shape)") }
        return s
    }
}
