import PortalRPC
#if canImport(Glibc)
import Glibc
#endif

// CitizenService: registration, sign-in, reference data, uploads, complaints, message box.

extension Commands {
    static let citizenGroup = "Citizen commands"

    static let citizen: [Command] = [
        Command(CommandSpec(
            name: "register", group: citizenGroup,
            summary: "Create a citizen account; a 6-digit code is sent by SMS to the mobile number.",
            flags: [
                .value("name", "NAME", "full name", required: true),
                .value("cnic", "CNIC", "12345-1234567-1 or 13 digits", required: true),
                .value("mobile", "MOBILE", "03XXXXXXXXX or +923XXXXXXXXX", required: true),
                .value("district", "CODE", "home district code (see 'districts'), e.g. PSH", required: true),
                .value("email", "EMAIL", "optional e-mail address"),
                .value("password", "PASSWORD", "8-128 characters with a letter and a digit (else PORTAL_PASSWORD, else asked)"),
            ],
            example: "portal-client register --name 'Ayesha Khan' --cnic 17301-1234567-1 --mobile 03001234567 --district PSH --password 'Swat-valley-7x'",
            details: "The new citizen id is kept in the profile, so 'verify CODE' needs no id."
        )) { try await $0.register() },
        Command(CommandSpec(
            name: "verify", group: citizenGroup,
            summary: "Confirm the mobile number with the SMS code; the account can then sign in.",
            arguments: [.required("CODE", "the 6-digit code from the SMS")],
            flags: [.value("citizen-id", "ID", "the account (default: the one 'register' kept in the profile)")],
            example: "portal-client verify 123456"
        )) { try await $0.verify() },
        Command(CommandSpec(
            name: "resend-code", group: citizenGroup,
            summary: "Send a fresh SMS code (at most once a minute, 5 codes per account).",
            flags: [.value("citizen-id", "ID", "the account (default: the one 'register' kept in the profile)")],
            example: "portal-client resend-code"
        )) { try await $0.resendCode() },
        Command(CommandSpec(
            name: "login", group: citizenGroup,
            summary: "Sign in as a citizen with CNIC or mobile number; the session is kept in the profile.",
            flags: [
                .value("cnic", "CNIC", "sign in with the CNIC"),
                .value("mobile", "MOBILE", "or with the mobile number"),
                .value("password", "PASSWORD", "the password (else PORTAL_PASSWORD, else asked)"),
            ],
            example: "portal-client login --cnic 17301-1234567-1 --password 'Swat-valley-7x'"
        )) { try await $0.citizenLogin() },
        Command(CommandSpec(
            name: "logout", group: citizenGroup,
            summary: "Revoke the profile's session (citizen or staff) and forget it.",
            example: "portal-client --profile dc logout"
        )) { try await $0.logout() },
        Command(CommandSpec(
            name: "change-password", group: citizenGroup,
            summary: "Change the profile's password (citizen or staff); other sessions are signed out unless --keep-sessions.",
            flags: [
                .value("password", "PASSWORD", "the current password (else PORTAL_PASSWORD, else asked)"),
                .value("new-password", "PASSWORD", "the new password (else PORTAL_NEW_PASSWORD)", required: false),
                .toggle("keep-sessions", "keep the account's other sessions signed in"),
            ],
            example: "portal-client --profile dc change-password --new-password 'Mingora-2026x'"
        )) { try await $0.changePassword() },
        Command(CommandSpec(
            name: "profile", group: citizenGroup,
            summary: "Show the signed-in citizen's account.",
            example: "portal-client profile"
        )) { try await $0.showProfile() },
        Command(CommandSpec(
            name: "districts", group: citizenGroup,
            summary: "List districts, divisions and the province (no sign-in).",
            flags: [
                .value("tier", "TIER", "only district, division or province"),
                .value("parent", "CODE", "only the children of this jurisdiction (a division's districts)"),
            ],
            example: "portal-client districts --parent DIV-PSH"
        )) { try await $0.districts() },
        Command(CommandSpec(
            name: "categories", group: citizenGroup,
            summary: "List complaint categories and the departments they route to (no sign-in).",
            example: "portal-client categories"
        )) { try await $0.categories() },
        Command(CommandSpec(
            name: "upload", group: citizenGroup,
            summary: "Upload a photo, audio or video file in 256 KiB chunks and print its attachment id.",
            arguments: [.required("FILE", "the file to upload")],
            flags: [.value("kind", "KIND", "photo, audio or video (default: from the extension)")],
            example: "portal-client upload street.jpg",
            details: """
            The server decides the type from the content's first bytes and refuses content that
            contradicts the kind. Staff profiles upload through OfficerService (for 'resolve --attach').
            """
        )) { try await $0.upload() },
        Command(CommandSpec(
            name: "file-complaint", group: citizenGroup,
            summary: "File a complaint (verified citizen); a retry with the same --key returns the same complaint.",
            flags: [
                .value("category", "CODE", "category code (see 'categories'), e.g. water-supply", required: true),
                .value("description", "TEXT", "10 to 5000 characters", required: true),
                .value("district", "CODE", "where (default: the citizen's district)"),
                .value("lat", "DEGREES", "latitude (WGS 84), with --lon"),
                .value("lon", "DEGREES", "longitude (WGS 84), with --lat"),
                .value("accuracy", "METRES", "horizontal accuracy of --lat/--lon"),
                .value("address", "TEXT", "street address"),
                .repeated("attach", "ID", "an attachment id from 'upload' (up to 10)"),
                .value("key", "KEY", "idempotency key, 8-64 of [A-Za-z0-9-_.:] (default: a new random one)"),
            ],
            example: "portal-client file-complaint --category water-supply --description 'No water in Gulbahar street 4 for five days' --lat 34.0151 --lon 71.5249 --attach $PHOTO"
        )) { try await $0.fileComplaint() },
        Command(CommandSpec(
            name: "track", group: citizenGroup,
            summary: "Show one of your complaints with its timeline.",
            arguments: [.required("CODE", "complaint code, e.g. PSH-2026-000001")],
            example: "portal-client track PSH-2026-000001"
        )) { try await $0.track() },
        Command(CommandSpec(
            name: "my-complaints", group: citizenGroup,
            summary: "List your complaints, newest first.",
            flags: [
                .repeated("status", "STATUS", "only these statuses (new, assigned, info-requested, resolved, closed, reopened, systemic)"),
                .value("page-size", "N", "complaints per page (default 50, at most 500)"),
                .value("page-token", "TOKEN", "the next page, from the previous output"),
            ],
            example: "portal-client my-complaints --status resolved"
        )) { try await $0.myComplaints() },
        Command(CommandSpec(
            name: "provide-info", group: citizenGroup,
            summary: "Answer an officer's request for information.",
            arguments: [.required("CODE", "complaint code")],
            flags: [
                .value("text", "TEXT", "the answer", required: true),
                .repeated("attach", "ID", "an attachment id from 'upload'"),
            ],
            example: "portal-client provide-info PSH-2026-000001 --text 'The main valve is behind house 14.'"
        )) { try await $0.provideInfo() },
        Command(CommandSpec(
            name: "feedback", group: citizenGroup,
            summary: "Rate a resolved complaint; unsatisfied feedback with --reopen reopens it.",
            arguments: [.required("CODE", "complaint code")],
            flags: [
                .toggle("satisfied", "the resolution was satisfactory"),
                .toggle("unsatisfied", "it was not"),
                .value("time", "1-5", "how quickly it was resolved (5 best)", required: true),
                .value("quality", "1-5", "how well it was resolved (5 best)", required: true),
                .value("comment", "TEXT", "a comment"),
                .toggle("reopen", "with --unsatisfied: reopen the complaint (limited times)"),
            ],
            example: "portal-client feedback PSH-2026-000001 --unsatisfied --time 2 --quality 1 --comment 'Still no water' --reopen"
        )) { try await $0.feedback() },
        Command(CommandSpec(
            name: "messages", group: citizenGroup,
            summary: "List your message box, oldest first.",
            flags: [
                .value("after", "SEQ", "only messages after this sequence number"),
                .value("limit", "N", "at most this many (default 100, at most 500)"),
                .toggle("unread", "only unread messages"),
            ],
            example: "portal-client messages --unread"
        )) { try await $0.messages() },
        Command(CommandSpec(
            name: "mark-read", group: citizenGroup,
            summary: "Mark messages read up to a sequence number (default: all) and print the unread count.",
            flags: [.value("up-to", "SEQ", "the last sequence number to mark")],
            example: "portal-client mark-read"
        )) { try await $0.markRead() },
        Command(CommandSpec(
            name: "watch", group: citizenGroup,
            summary: "Print your messages as they arrive, until interrupted (Ctrl-C).",
            flags: [
                .value("from", "SEQ", "start after this sequence number (default: the last one this profile printed)"),
                .value("count", "N", "stop after N messages"),
            ],
            example: "portal-client watch --from 0",
            details: """
            Each printed sequence number is saved in the profile, so the next 'watch' resumes where
            this one stopped: nothing is lost and nothing repeats. A broken connection (server
            restart) is reopened by itself. Ctrl-C ends the command with status 0.
            """
        )) { try await $0.watch() },
        Command(CommandSpec(
            name: "stats", group: citizenGroup,
            summary: "The province's public headline figures (no sign-in).",
            example: "portal-client stats"
        )) { try await $0.stats() },
    ]
}

extension Runner {
    func register() async throws {
        var r = Portal_V1_RegisterRequest()
        r.name = try required("name")
        r.cnic = try required("cnic")
        r.mobile = try required("mobile")
        r.districtCode = try required("district")
        r.email = args.value("email") ?? ""
        r.password = try password()
        let response = try await citizen.register(r, options: anonymous)
        profile.server = server
        profile.pendingCitizenId = response.citizenId
        try saveProfile()
        try emit(response) { r in
            """
            registered: citizen id \(r.citizenId); an SMS code was sent (valid until \(Time.human(r.codeExpiresAt)))
            next: \(Self.tool)\(self.profileFlag) verify CODE
            """
        }
    }

    /// ` --profile NAME` when not the default, for printed next steps.
    var profileFlag: String { profileName == "default" ? "" : " --profile \(profileName)" }

    func pendingCitizenID() throws -> String {
        if let id = args.value("citizen-id") { return id }
        guard let id = profile.pendingCitizenId else {
            throw usage("no registration in profile '\(profileName)'; give --citizen-id ID")
        }
        return id
    }

    func verify() async throws {
        var r = Portal_V1_VerifyMobileRequest()
        r.citizenId = try pendingCitizenID()
        r.code = args.argument("CODE") ?? ""
        let response = try await citizen.verifyMobile(r, options: anonymous)
        if profile.pendingCitizenId == r.citizenId { profile.pendingCitizenId = nil; try saveProfile() }
        try emit(response) { r in
            let c = r.citizen ?? Portal_V1_Citizen()
            return "mobile \(c.mobile) verified for \(c.name) (citizen id \(c.id))\nnext: \(Self.tool)\(self.profileFlag) login --cnic \(c.cnic)"
        }
    }

    func resendCode() async throws {
        var r = Portal_V1_ResendVerificationCodeRequest()
        r.citizenId = try pendingCitizenID()
        let response = try await citizen.resendVerificationCode(r, options: anonymous)
        try emit(response) { r in
            "a new code was sent (valid until \(Time.human(r.codeExpiresAt)); next resend after \(Time.human(r.resendAllowedAt)))"
        }
    }

    func citizenLogin() async throws {
        var r = Portal_V1_CitizenLoginRequest()
        switch (args.value("cnic"), args.value("mobile")) {
        case let (cnic?, nil): r.identity = .cnic(cnic)
        case let (nil, mobile?): r.identity = .mobile(mobile)
        default: throw usage("give exactly one of --cnic and --mobile")
        }
        r.password = try password()
        let session = try await citizen.login(r, options: anonymous)
        try remember(session)
        try emit(session) { s in
            "signed in as citizen \(s.subjectId) (profile \(self.profileName), session valid until \(Time.human(s.expiresAt)))"
        }
    }

    func logout() async throws {
        guard profile.token != nil else {
            note("profile '\(profileName)' has no session")
            return
        }
        do {
            let response = profile.isStaff
                ? try await officer.logout(Portal_V1_LogoutRequest(), options: signedIn)
                : try await citizen.logout(Portal_V1_LogoutRequest(), options: signedIn)
            profile.signOut()
            try saveProfile()
            try emit(response) { _ in "signed out (profile \(self.profileName))" }
        } catch let e as RPCError where e.code == .unauthenticated {
            // The session was already gone (expired, revoked): forget it all the same.
            profile.signOut()
            try saveProfile()
            note("the session had already ended; forgotten")
        }
    }

    func changePassword() async throws {
        var r = Portal_V1_ChangePasswordRequest()
        r.currentPassword = try password()
        guard let new = args.value("new-password") ?? environment("PORTAL_NEW_PASSWORD"), !new.isEmpty else {
            throw usage("give --new-password or set PORTAL_NEW_PASSWORD")
        }
        r.newPassword = new
        r.keepOtherSessions = args.has("keep-sessions")
        let response = profile.isStaff
            ? try await officer.changePassword(r, options: signedIn)
            : try await citizen.changePassword(r, options: signedIn)
        try emit(response) { "password changed; \($0.sessionsRevoked) other session(s) signed out" }
    }

    func showProfile() async throws {
        try emit(try await citizen.getProfile(Portal_V1_GetProfileRequest(), options: signedIn), Render.citizen)
    }

    func districts() async throws {
        var r = Portal_V1_ListJurisdictionsRequest()
        r.tier = try tier("tier") ?? .unspecified
        r.parentCode = args.value("parent") ?? ""
        let response = try await citizen.listJurisdictions(r, options: anonymous)
        try emit(response) { r in
            Render.columns([["CODE", "NAME", "URDU", "TIER", "PARENT"]] + r.jurisdictions.map {
                [$0.code, $0.name, $0.nameUrdu, Render.tier($0.tier).lowercased(), $0.parentCode.isEmpty ? "-" : $0.parentCode]
            })
        }
    }

    func categories() async throws {
        let response = try await citizen.listCategories(Portal_V1_ListCategoriesRequest(), options: anonymous)
        try emit(response) { r in
            let departments = Dictionary(r.departments.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            return Render.columns([["CATEGORY", "NAME", "DEPARTMENT"]] + r.categories.map {
                [$0.code, $0.name, "\($0.departmentCode) (\(departments[$0.departmentCode] ?? "?"))"]
            })
        }
    }

    func upload() async throws {
        let path = args.argument("FILE") ?? ""
        let kind: Portal_V1_AttachmentKind
        if let text = args.value("kind") {
            guard let k = EnumNames.parse(text, as: Portal_V1_AttachmentKind.self, prefix: "ATTACHMENT_KIND_") else {
                throw usage("--kind must be photo, audio or video")
            }
            kind = k
        } else {
            guard let k = Uploads.kind(forFileName: path) else {
                throw usage("cannot tell the kind of '\(path)' from its extension; give --kind photo|audio|video")
            }
            kind = k
        }
        let file = try UploadFile(path: path)
        defer { file.close() }
        let requests = Uploads.requests(file, kind: kind)
        let attachment = profile.isStaff
            ? try await officer.uploadAttachment(options: uploading, requests: requests)
            : try await citizen.uploadAttachment(options: uploading, requests: requests)
        try emit(attachment) { a in "\(a.id)\n  uploaded \(path): \(Render.kind(a.kind)), \(a.contentType), \(a.sizeBytes) bytes" }
    }

    func fileComplaint() async throws {
        var r = Portal_V1_FileComplaintRequest()
        r.idempotencyKey = args.value("key") ?? Uploads.randomKey()
        r.categoryCode = try required("category")
        r.description_p = try required("description")
        r.districtCode = args.value("district") ?? ""
        switch (try double("lat"), try double("lon")) {
        case let (lat?, lon?):
            var point = Portal_V1_GeoPoint()
            point.latitude = lat
            point.longitude = lon
            point.accuracyM = try double("accuracy").map(Float.init)
            r.location = point
        case (nil, nil):
            if args.has("accuracy") { throw usage("--accuracy goes with --lat and --lon") }
        default:
            throw usage("give both --lat and --lon")
        }
        r.address = args.value("address") ?? ""
        r.attachmentIds = args.all("attach")
        if output == .human && args.value("key") == nil { note("idempotency key \(r.idempotencyKey) (pass --key \(r.idempotencyKey) to retry safely)") }
        let complaint = try await citizen.fileComplaint(r, options: signedIn)
        try emit(complaint) { Render.complaint($0) }
    }

    func track() async throws {
        var r = Portal_V1_GetComplaintRequest()
        r.code = args.argument("CODE") ?? ""
        try emit(try await citizen.getComplaint(r, options: signedIn)) { Render.complaint($0) }
    }

    func page() throws -> Portal_V1_PageRequest? {
        guard args.has("page-size") || args.has("page-token") else { return nil }
        var p = Portal_V1_PageRequest()
        p.pageSize = UInt32(try uint("page-size", range: 1...500) ?? 0)
        p.pageToken = args.value("page-token") ?? ""
        return p
    }

    func myComplaints() async throws {
        var r = Portal_V1_ListMyComplaintsRequest()
        r.statuses = try statuses()
        r.page = try page()
        let response = try await citizen.listMyComplaints(r, options: signedIn)
        try emit(response) { Render.complaintList($0, nextCommand: "\(Self.tool)\(self.profileFlag) my-complaints") }
    }

    func provideInfo() async throws {
        var r = Portal_V1_ProvideInformationRequest()
        r.code = args.argument("CODE") ?? ""
        r.text = try required("text")
        r.attachmentIds = args.all("attach")
        try emit(try await citizen.provideInformation(r, options: signedIn)) { Render.complaint($0) }
    }

    func feedback() async throws {
        var r = Portal_V1_SubmitFeedbackRequest()
        r.code = args.argument("CODE") ?? ""
        switch (args.has("satisfied"), args.has("unsatisfied")) {
        case (true, false): r.satisfied = true
        case (false, true): r.satisfied = false
        default: throw usage("give exactly one of --satisfied and --unsatisfied")
        }
        r.timeRating = UInt32(try uint("time", range: 1...5) ?? 0)
        r.qualityRating = UInt32(try uint("quality", range: 1...5) ?? 0)
        r.comment = args.value("comment") ?? ""
        r.reopen = args.has("reopen")
        if r.reopen && r.satisfied { throw usage("--reopen goes with --unsatisfied") }
        try emit(try await citizen.submitFeedback(r, options: signedIn)) { Render.complaint($0) }
    }

    func messages() async throws {
        var r = Portal_V1_ListMessagesRequest()
        r.afterSequence = try uint("after") ?? 0
        r.limit = UInt32(try uint("limit", range: 1...500) ?? 0)
        r.unreadOnly = args.has("unread")
        let response = try await citizen.listMessages(r, options: signedIn)
        try emit(response) { r in
            var lines = r.messages.map(Render.message)
            if lines.isEmpty { lines.append("no messages") }
            lines.append("\(r.unreadCount) unread; last sequence \(r.lastSequence)")
            return lines.joined(separator: "\n")
        }
    }

    func markRead() async throws {
        var r = Portal_V1_MarkMessagesReadRequest()
        if let upTo = try uint("up-to") {
            r.upToSequence = upTo
        } else {
            var probe = Portal_V1_ListMessagesRequest()
            probe.afterSequence = UInt64(Int64.max)  // no messages, just the last sequence
            probe.limit = 1
            r.upToSequence = try await citizen.listMessages(probe, options: signedIn).lastSequence
        }
        let response = try await citizen.markMessagesRead(r, options: signedIn)
        try emit(response) { "marked read up to #\(r.upToSequence); \($0.unreadCount) unread" }
    }

    func watch() async throws {
        var after = try uint("from") ?? profile.lastSequence ?? 0
        let citizen = try self.citizen
        if output == .human { note("watching messages after #\(after) (Ctrl-C to stop)") }
        try await follow(count: try uint("count", range: 1...UInt64.max), reconnectNote: "Resuming after the last message seen.", open: {
            var r = Portal_V1_WatchUpdatesRequest()
            r.afterSequence = after
            return try await citizen.watchUpdates(r, options: self.watching)
        }, each: { (m: Portal_V1_CitizenMessage) in
            try self.emitStreamed(m, Render.message)
            after = m.sequence
            self.profile.lastSequence = m.sequence
            try self.saveProfile()
        })
        if output == .human { note("stopped after #\(after); the next watch resumes there") }
    }

    func stats() async throws {
        try emit(try await citizen.getPublicStatistics(Portal_V1_GetPublicStatisticsRequest(), options: anonymous), Render.publicStatistics)
    }
}

// MARK: - Uploads

/// An open file to upload; read in chunks inside the request stream.
final class UploadFile: Sendable {
    let fd: Int32
    let size: UInt64
    let path: String

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LocalError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw LocalError(description: "\(path) is not a regular file")
        }
        guard st.st_size > 0 else {
            Glibc.close(fd)
            throw LocalError(description: "\(path) is empty")
        }
        self.fd = fd
        size = UInt64(st.st_size)
    }

    func close() { Glibc.close(fd) }

    /// The next chunk of at most `max` bytes; empty at the end.
    func read(max: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, max) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LocalError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            buffer.removeSubrange(n...)
            return buffer
        }
    }
}

enum Uploads {
    static let chunkSize = 256 << 10

    /// The kind a file name suggests; the server checks the content anyway.
    static func kind(forFileName name: String) -> Portal_V1_AttachmentKind? {
        guard let dot = name.lastIndex(of: "."), !name[dot...].contains("/") else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "jpg", "jpeg", "jpe", "jfif", "png", "gif", "webp", "heic", "heif", "avif": return .photo
        case "mp3", "aac", "m4a", "ogg", "oga", "opus", "wav", "amr": return .audio
        case "mp4", "m4v", "3gp", "3g2", "mov", "webm", "mkv": return .video
        default: return nil
        }
    }

    /// The request stream: the header with the file's size, then 256 KiB chunks. A file that
    /// changes size meanwhile is refused by the server (the total must match the header).
    static func requests(_ file: UploadFile, kind: Portal_V1_AttachmentKind)
        -> @Sendable (RPCWriter<Portal_V1_UploadAttachmentRequest>) async throws -> Void {
        { writer in
            var header = Portal_V1_AttachmentUploadHeader()
            header.kind = kind
            header.sizeBytes = file.size
            var first = Portal_V1_UploadAttachmentRequest()
            first.part = .header(header)
            try await writer.write(first)
            while true {
                let bytes = try file.read(max: chunkSize)
                if bytes.isEmpty { break }
                var chunk = Portal_V1_UploadAttachmentRequest()
                chunk.part = .chunk(bytes)
                try await writer.write(chunk)
            }
        }
    }

    /// A fresh idempotency key: 32 hex digits from the system's random source.
    static func randomKey() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<2).map { _ -> String in
            let s = String(g.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }
}
