import PortalModel

/// Who may see and act on which complaint. A department officer sees the complaints assigned
/// to him; a Deputy Commissioner his district's; a Commissioner his division's; the Chief
/// Secretary the province's. Admins manage the system and do not handle complaints.
struct ComplaintAccess {
    let directory: Directory

    /// The complaint is within the staff member's jurisdiction (as a supervisor would see it).
    func inJurisdiction(_ staff: Principal.Staff, _ c: Portal_V1_Complaint) -> Bool {
        switch staff.role {
        case .deputyCommissioner: staff.jurisdictionCode == c.districtCode
        case .commissioner: staff.jurisdictionCode == c.divisionCode
        case .chiefSecretary: directory.contains(staff.jurisdictionCode, c.districtCode)
        default: false
        }
    }

    func isAssigned(_ staff: Principal.Staff, _ c: Portal_V1_Complaint) -> Bool {
        staff.role == .departmentOfficer && c.assignedOfficerIds.contains(String(staff.id))
    }

    func canSee(_ staff: Principal.Staff, _ c: Portal_V1_Complaint) -> Bool {
        isAssigned(staff, c) || inJurisdiction(staff, c)
    }

    /// Assign, transfer, mark systemic: the heads of the district, division or province.
    func canSupervise(_ staff: Principal.Staff, _ c: Portal_V1_Complaint) -> Bool {
        inJurisdiction(staff, c)
    }

    /// Remarks, requests for information and resolution: the assigned officers and the heads.
    func canWork(_ staff: Principal.Staff, _ c: Portal_V1_Complaint) -> Bool {
        isAssigned(staff, c) || inJurisdiction(staff, c)
    }

    /// The districts a staff member's lists and dashboards cover (empty for admins and
    /// department officers, whose lists are by assignment).
    func districts(of staff: Principal.Staff) -> [String] {
        switch staff.role {
        case .deputyCommissioner, .commissioner, .chiefSecretary: directory.districts(within: staff.jurisdictionCode)
        default: []
        }
    }

    /// Whether `code` (a district, division or province) is inside the staff member's scope.
    func scopeAllowed(_ staff: Principal.Staff, _ code: String) -> Bool {
        switch staff.role {
        case .deputyCommissioner, .commissioner, .chiefSecretary: directory.contains(staff.jurisdictionCode, code)
        case .admin: directory.jurisdiction(code) != nil
        case .departmentOfficer: code == staff.jurisdictionCode
        default: false
        }
    }
}
