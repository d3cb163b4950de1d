import PortalModel

/// Human output: concise, aligned text for each kind of response. `--json` bypasses all of it.
enum Render {
    // MARK: Names

    static func status(_ s: Portal_V1_ComplaintStatus) -> String { EnumNames.short(s, prefix: "COMPLAINT_STATUS_") }
    static func tier(_ t: Portal_V1_Tier) -> String { EnumNames.short(t, prefix: "TIER_") }
    static func kind(_ k: Portal_V1_AttachmentKind) -> String { EnumNames.short(k, prefix: "ATTACHMENT_KIND_").lowercased() }
    static func messageKind(_ k: Portal_V1_MessageKind) -> String { EnumNames.short(k, prefix: "MESSAGE_KIND_") }
    static func queueKind(_ k: Portal_V1_QueueEventKind) -> String { EnumNames.short(k, prefix: "QUEUE_EVENT_KIND_") }

    /// `deputy commissioner`, `citizen`; `system` for changes nobody made (escalation).
    static func role(_ r: Portal_V1_Role) -> String {
        r == .unspecified ? "system" : EnumNames.short(r, prefix: "ROLE_").lowercased().map { $0 == "_" ? " " : $0 }.reduce(into: "") { $0.append($1) }
    }

    static func padded(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// The first line of `text`, cut to `limit` characters with an ellipsis.
    static func excerpt(_ text: String, _ limit: Int) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }

    /// Aligned columns; the last column is not padded.
    static func columns(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max(), width > 0 else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (i, cell) in row.enumerated() where i < width - 1 { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : padded(cell, widths[i]) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func indent(_ text: String, _ prefix: String = "    ") -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
    }

    // MARK: Complaints

    /// A complaint with its details and, when it has one, its timeline.
    static func complaint(_ c: Portal_V1_Complaint, citizenName: String? = nil, citizenMobile: String? = nil) -> String {
        var lines = ["\(c.code)  \(status(c.status))  tier \(tier(c.tier))"]
        var rows: [[String]] = []
        rows.append(["  category", "\(c.categoryCode) (department \(c.departmentCode.isEmpty ? "-" : c.departmentCode))"])
        rows.append(["  district", "\(c.districtCode)\(c.divisionCode.isEmpty ? "" : " (division \(c.divisionCode))")"])
        if let citizenName, !citizenName.isEmpty {
            rows.append(["  citizen", "\(citizenName)\(citizenMobile.map { $0.isEmpty ? "" : ", \($0)" } ?? "") (id \(c.citizenId))"])
        }
        rows.append(["  filed", Time.human(c.filedAt)])
        rows.append(["  updated", Time.human(c.updatedAt)])
        if let clock = c.clockStartedAt, clock != c.filedAt { rows.append(["  clock from", Time.human(clock)]) }
        if c.resolvedAt != nil { rows.append(["  resolved", Time.human(c.resolvedAt)]) }
        if let l = c.location {
            rows.append(["  location", "\(l.latitude), \(l.longitude)\(l.accuracyM.map { " (±\(Int($0.rounded())) m)" } ?? "")"])
        }
        if !c.address.isEmpty { rows.append(["  address", c.address]) }
        if !c.assignedOfficerIds.isEmpty { rows.append(["  assigned", "officers " + c.assignedOfficerIds.joined(separator: ", ")]) }
        if c.reopenCount > 0 { rows.append(["  reopened", "\(c.reopenCount) time\(c.reopenCount == 1 ? "" : "s")"]) }
        if let f = c.feedback { rows.append(["  feedback", feedback(f)]) }
        for (k, v) in c.labels.sorted(by: { $0.key < $1.key }) { rows.append(["  label", "\(k)=\(v)"]) }
        lines.append(columns(rows))
        if !c.attachments.isEmpty {
            lines.append("  attachments")
            lines.append(columns(c.attachments.map { ["    " + $0.id, kind($0.kind), $0.contentType, "\($0.sizeBytes) bytes"] }))
        }
        if !c.description_p.isEmpty {
            lines.append("  description")
            lines.append(indent(c.description_p))
        }
        if !c.timeline.isEmpty {
            lines.append("  timeline")
            lines.append(columns(c.timeline.map(event)))
        }
        return lines.joined(separator: "\n")
    }

    /// One timeline line: time, who, what.
    static func event(_ e: Portal_V1_ComplaintEvent) -> [String] {
        let who = e.actorName.isEmpty ? role(e.actorRole) : "\(role(e.actorRole)) \(e.actorName)"
        let what: String
        switch e.change {
        case .status(let s)?: what = "status → \(status(s))"
        case .remark(let r)?: what = "remark: " + r.replacingNewlines
        case .assigned(let a)?: what = "assigned to officer\(a.officerIds.count == 1 ? "" : "s") " + a.officerIds.joined(separator: ", ")
        case .escalatedTo(let t)?: what = "escalated to \(tier(t))"
        case .transferredTo(let d)?: what = "transferred to \(d)"
        case .feedback(let f)?: what = "feedback: " + feedback(f)
        case nil: what = "(change of a kind this client does not know)"
        }
        return ["    " + Time.human(e.at), who, what]
    }

    static func feedback(_ f: Portal_V1_Feedback) -> String {
        var s = "\(f.satisfied ? "satisfied" : "unsatisfied"), time \(f.timeRating)/5, quality \(f.qualityRating)/5"
        if !f.comment.isEmpty { s += ": \"\(f.comment.replacingNewlines)\"" }
        return s
    }

    /// A list of complaints, one per line, and the paging footer.
    static func complaintList(_ r: Portal_V1_ListComplaintsResponse, nextCommand: String) -> String {
        guard !r.complaints.isEmpty else { return "no complaints" + (r.page?.totalCount ?? 0 > 0 ? " on this page" : "") }
        var lines = [columns(r.complaints.map { c in
            [c.code, status(c.status), tier(c.tier), c.categoryCode, Time.human(c.filedAt), excerpt(c.description_p, 48)]
        })]
        let total = r.page?.totalCount ?? UInt64(r.complaints.count)
        lines.append("\(r.complaints.count) shown of \(total)")
        if let token = r.page?.nextPageToken, !token.isEmpty {
            lines.append("more: \(nextCommand) --page-token \(token)")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Accounts

    static func citizen(_ c: Portal_V1_Citizen) -> String {
        columns([
            ["citizen", "\(c.name) (id \(c.id))"],
            ["cnic", c.cnic],
            ["mobile", "\(c.mobile)\(c.mobileVerified ? " (verified)" : " (not verified)")"],
            ["email", c.email.isEmpty ? "-" : c.email],
            ["district", c.districtCode],
            ["registered", Time.human(c.registeredAt)],
        ] + (c.blocked ? [["blocked", "yes"]] : []))
    }

    static func staffMember(_ s: Portal_V1_StaffMember) -> String {
        columns([
            ["staff", "\(s.name) (id \(s.id), username \(s.username))"],
            ["role", role(s.role)],
            ["jurisdiction", s.jurisdictionCode],
            ["department", s.departmentCode.isEmpty ? "-" : s.departmentCode],
            ["designation", s.designation.isEmpty ? "-" : s.designation],
            ["active", s.active ? "yes" : "no"],
            ["created", Time.human(s.createdAt)],
        ])
    }

    static func staffList(_ staff: [Portal_V1_StaffMember]) -> String {
        guard !staff.isEmpty else { return "no staff" }
        return columns([["ID", "USERNAME", "NAME", "ROLE", "JURISDICTION", "DEPT", "ACTIVE"]] + staff.map {
            [$0.id, $0.username, $0.name, role($0.role), $0.jurisdictionCode, $0.departmentCode.isEmpty ? "-" : $0.departmentCode, $0.active ? "yes" : "no"]
        })
    }

    // MARK: Messages and streams

    static func message(_ m: Portal_V1_CitizenMessage) -> String {
        "#\(m.sequence)  \(Time.human(m.at))  \(messageKind(m.kind))\(m.referenceCode.isEmpty ? "" : "  " + m.referenceCode)\(m.read ? "" : "  (unread)")\n    \(m.text.replacingNewlines)"
    }

    static func queueEvent(_ e: Portal_V1_QueueEvent) -> String {
        let c = e.complaint ?? Portal_V1_Complaint()
        return "\(Time.human(e.at))  \(queueKind(e.kind))  \(c.code)  \(status(c.status))  tier \(tier(c.tier))  \(c.categoryCode)  \(excerpt(c.description_p, 48))"
    }

    // MARK: Figures

    static func counts(_ c: Portal_V1_StatusCounts?) -> String {
        let c = c ?? Portal_V1_StatusCounts()
        return "total \(c.total): new \(c.new), pending \(c.pending), resolved \(c.resolved), closed \(c.closed), systemic \(c.systemic)"
    }

    static func percent(_ d: Double) -> String {
        let tenths = (d * 10).rounded() / 10
        return tenths == tenths.rounded() ? "\(Int(tenths))%" : "\(tenths)%"
    }

    /// `12 h`, `1.5 h`: one decimal, none when it is zero.
    static func hours(_ d: Double) -> String {
        let tenths = (d * 10).rounded() / 10
        return tenths == tenths.rounded() ? "\(Int(tenths)) h" : "\(tenths) h"
    }

    static func dashboard(_ d: Portal_V1_Dashboard) -> String {
        var period = "all time"
        if d.periodStart != nil || d.periodEnd != nil {
            period = "filed from \(d.periodStart.map { Time.human($0) } ?? "the beginning") to \(d.periodEnd.map { Time.human($0) } ?? "now")"
        }
        var lines = ["dashboard \(d.scopeCode) (\(tier(d.scopeTier).lowercased())), \(period); computed \(Time.human(d.computedAt))"]
        lines.append(columns([
            ["  complaints", counts(d.complaints)],
            ["  overdue", "\(d.overdue)"],
            ["  escalated", "to division \(d.escalatedToDivision), to province \(d.escalatedToProvince)"],
            ["  median resolution", hours(d.medianResolutionHours)],
            ["  feedback", "\(d.feedbackGiven) given, \(percent(d.satisfiedPercent)) satisfied; \(percent(d.reopenPercent)) of resolved reopened"],
            ["  citizens", "\(d.citizensRegistered) registered"],
        ]))
        if !d.byCategory.isEmpty {
            lines.append("  by category")
            lines.append(columns(d.byCategory.map { ["    " + $0.categoryCode, $0.categoryName, counts($0.counts)] }))
        }
        if !d.byDistrict.isEmpty {
            lines.append("  by district")
            lines.append(columns(d.byDistrict.map { ["    " + $0.districtCode, $0.districtName, counts($0.counts), "overdue \($0.overdue)"] }))
        }
        if !d.byOfficer.isEmpty {
            lines.append("  by officer")
            lines.append(columns(d.byOfficer.map { ["    " + $0.staffId, $0.name, "assigned \($0.assigned)", "resolved \($0.resolved)", "median \(hours($0.medianResolutionHours))"] }))
        }
        return lines.joined(separator: "\n")
    }

    static func publicStatistics(_ s: Portal_V1_PublicStatistics) -> String {
        var lines = [columns([
            ["citizens registered", "\(s.citizensRegistered)"],
            ["complaints received", "\(s.complaintsReceived)"],
            ["complaints resolved", "\(s.complaintsResolved)"],
            ["feedback given", "\(s.feedbackGiven) (\(s.satisfiedCitizens) satisfied)"],
            ["computed", Time.human(s.computedAt)],
        ])]
        let active = s.byDistrict.filter { ($0.counts?.total ?? 0) > 0 }
        if !active.isEmpty {
            lines.append("by district")
            lines.append(columns(active.map { ["  " + $0.districtCode, $0.districtName, counts($0.counts)] }))
        }
        return lines.joined(separator: "\n")
    }

    static func auditEntries(_ entries: [Portal_V1_AuditEntry]) -> String {
        guard !entries.isEmpty else { return "no entries" }
        return columns(entries.map { e in
            let hash = e.hash_p.prefix(4).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
            return ["#\(e.sequence)", Time.human(e.at), e.actorId.isEmpty ? "-" : e.actorId, role(e.actorRole), e.action, e.target,
                    hash + "…", e.detail.replacingNewlines]
        })
    }
}

extension String {
    var replacingNewlines: String { split(whereSeparator: \.isNewline).joined(separator: " ⏎ ") }
}
