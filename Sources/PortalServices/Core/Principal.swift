import PortalModel

/// Who is calling, established from the session token.
public enum Principal: Sendable, Equatable {
    case citizen(Citizen)
    case staff(Staff)

    public struct Citizen: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var districtCode: String
        public var verified: Bool
    }

    public struct Staff: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var role: Portal_V1_Role
        /// A district (department officer, DC), a division (Commissioner) or the province
        /// (Chief Secretary, admin).
        public var jurisdictionCode: String
        public var departmentCode: String
    }

    public var role: Portal_V1_Role {
        switch self {
        case .citizen: .citizen
        case .staff(let s): s.role
        }
    }

    /// The id the audit log records: `citizen:12` or `staff:3`.
    public var auditID: String {
        switch self {
        case .citizen(let c): "citizen:\(c.id)"
        case .staff(let s): "staff:\(s.id)"
        }
    }

    public var displayName: String {
        switch self {
        case .citizen(let c): c.name
        case .staff(let s): s.name
        }
    }
}

extension Principal.Staff {
    /// Whether this staff member oversees the whole of a jurisdiction tier (DC and above).
    var isSupervisor: Bool {
        switch role {
        case .deputyCommissioner, .commissioner, .chiefSecretary, .admin: true
        default: false
        }
    }
}
