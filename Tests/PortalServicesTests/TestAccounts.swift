import Foundation
import PortalRPC
import PortalServices
import Synchronization
import Testing

/// Helpers shared by the authorization matrix and the input-validation tests: accounts that
/// keep their credentials (so a test can sign in again, or fail to), a transport that records
/// which methods a call went through, and bounded waits on streams.

/// A signed-in account with what it signs in with.
struct Account: Sendable {
    enum Credentials: Sendable {
        case citizen(cnic: String, mobile: String, password: String)
        case staff(username: String, password: String)
    }

    var id: String
    var token: String
    var credentials: Credentials
    var options: RPCCallOptions { TestPortal.auth(token) }
    var signedIn: TestPortal.SignedIn { .init(id: id, token: token) }
}

/// Numbers for CNICs, mobiles and usernames; disjoint from the harness's own (17301-…, 0300…).
private let accountSerial = Counter()

/// One registration's values, unique per call.
struct NewCitizenValues: Sendable {
    var name = "Gul Bano"
    var cnic: String
    var mobile: String
    var password: String
    var district: String

    init(district: String = "PSH") {
        let n = accountSerial.next()
        cnic = "42101-\(String(format: "%07d", 2_000_000 + n))-\(n % 10)"
        mobile = "0333\(String(format: "%07d", 2_000_000 + n))"
        password = "Kohat-tunnel-\(n)q"
        self.district = district
    }

    /// +923XXXXXXXXX, as the SMS outbox records it.
    var mobileE164: String { "+92" + mobile.dropFirst() }
    var cnicDigits: String { cnic.filter(\.isNumber) }

    var request: Portal_V1_RegisterRequest {
        .with { r in
            r.name = name; r.cnic = cnic; r.mobile = mobile; r.districtCode = district; r.password = password
        }
    }
}

extension TestPortal {
    /// Registers (without verifying); returns the citizen id.
    func register(_ values: NewCitizenValues) async throws -> String {
        try await citizen.register(values.request).citizenId
    }

    /// Registers, verifies and signs in a citizen, keeping the credentials.
    func citizenAccount(district: String = "PSH") async throws -> Account {
        let values = NewCitizenValues(district: district)
        let id = try await register(values)
        let code = try smsCode(for: values.mobileE164)
        _ = try await citizen.verifyMobile(.with { $0.citizenId = id; $0.code = code })
        let session = try await citizen.login(.with { $0.identity = .cnic(values.cnic); $0.password = values.password })
        return Account(id: id, token: session.token,
                       credentials: .citizen(cnic: values.cnic, mobile: values.mobile, password: values.password))
    }

    /// Creates a staff account through the admin service and signs it in, keeping the
    /// credentials (its one-time password).
    func staffAccount(_ role: Portal_V1_Role, _ jurisdiction: String, department: String = "",
                      admin: Account? = nil) async throws -> Account {
        var signedInAdmin = admin
        if signedInAdmin == nil { signedInAdmin = try await adminAccount() }
        let admin = signedInAdmin!
        let username = "acct.\(accountSerial.next())"
        let created = try await self.admin.createStaff(.with { r in
            r.username = username; r.name = "Officer Farhan Ali"; r.role = role
            r.jurisdictionCode = jurisdiction; r.departmentCode = department
        }, options: admin.options)
        let session = try await officer.login(.with { $0.username = username; $0.password = created.oneTimePassword })
        return Account(id: created.staff!.id, token: session.token,
                       credentials: .staff(username: username, password: created.oneTimePassword))
    }

    func adminAccount() async throws -> Account {
        let session = try await officer.login(.with { $0.username = "admin"; $0.password = Self.adminPassword })
        return Account(id: session.subjectId, token: session.token,
                       credentials: .staff(username: "admin", password: Self.adminPassword))
    }

    /// A new session for an account (the old ones stay valid).
    func signIn(_ account: Account) async throws -> Account {
        var fresh = account
        switch account.credentials {
        case let .citizen(cnic, _, password):
            fresh.token = try await citizen.login(.with { $0.identity = .cnic(cnic); $0.password = password }).token
        case let .staff(username, password):
            fresh.token = try await officer.login(.with { $0.username = username; $0.password = password }).token
        }
        return fresh
    }
}

// MARK: - Uploads

enum Uploads {
    /// A JPEG: SOI + JFIF APP0 header, filler, EOI.
    static let jpeg = ComplaintFlowTests.jpeg
    /// The start of a PDF: not a photo, whatever the header claims.
    static let pdf: [UInt8] = Array("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".utf8)
        + [UInt8](repeating: 0x20, count: 600)

    static func header(_ kind: Portal_V1_AttachmentKind, size: Int) -> Portal_V1_UploadAttachmentRequest {
        .with { $0.part = .header(.with { $0.kind = kind; $0.sizeBytes = UInt64(size) }) }
    }

    static func chunk(_ bytes: some Sequence<UInt8>) -> Portal_V1_UploadAttachmentRequest {
        .with { $0.part = .chunk(Array(bytes)) }
    }

    /// The request stream of one upload: a header declaring `declared` bytes (the content's
    /// size by default), then, after `pause` (a slow link), `bytes` in chunks of `chunkSize`.
    static func requests(_ bytes: [UInt8], kind: Portal_V1_AttachmentKind = .photo, declared: Int? = nil, chunkSize: Int = 1000,
                         pause: Duration? = nil)
        -> @Sendable (RPCWriter<Portal_V1_UploadAttachmentRequest>) async throws -> Void {
        { w in
            try await w.write(header(kind, size: declared ?? bytes.count))
            if let pause { try await Task.sleep(for: pause) }
            var offset = 0
            while offset < bytes.count {
                try await w.write(chunk(bytes[offset..<min(offset + chunkSize, bytes.count)]))
                offset += chunkSize
            }
        }
    }
}

// MARK: - Recording transport

/// Forwards every call to the portal's client and records the method paths it carried, so a
/// table-driven test can prove each row exercised the RPC it is named after.
final class RecordingTransport: RPCClientTransport {
    let base: RPCClient
    private let log = Mutex<[String]>([])

    init(_ base: RPCClient) { self.base = base }

    var paths: [String] { log.withLock { $0 } }

    private func record(_ method: MethodDescriptor) { log.withLock { $0.append(method.path) } }

    func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, request: Request, options: RPCCallOptions
    ) async throws -> Response {
        record(method)
        return try await base.unary(method, request: request, options: options)
    }

    func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, request: Request, options: RPCCallOptions
    ) async throws -> RPCStream<Response> {
        record(method)
        return try await base.serverStreaming(method, request: request, options: options)
    }

    func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, options: RPCCallOptions,
        requests: @escaping @Sendable (RPCWriter<Request>) async throws -> Void
    ) async throws -> Response {
        record(method)
        return try await base.clientStreaming(method, options: options, requests: requests)
    }

    func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, options: RPCCallOptions,
        requests: @escaping @Sendable (RPCWriter<Request>) async throws -> Void
    ) async throws -> RPCStream<Response> {
        record(method)
        return try await base.bidirectionalStreaming(method, options: options, requests: requests)
    }
}

// MARK: - Bounded waits

/// A step that only prepares a test failed: its error must not pass for the outcome under test.
struct SetupFailure: Error, CustomStringConvertible {
    var step: String
    var error: any Error
    var description: String { "setup step '\(step)' failed: \(error)" }
}

/// Runs a preparation step, wrapping its failure in `SetupFailure`.
func setup<T>(_ step: String, _ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let e as SetupFailure { throw e } catch { throw SetupFailure(step: step, error: error) }
}

/// A wait that ran out, or a stream that ended where a message was due.
struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { what }
}

/// Runs `body`, failing with `TestTimeout` after `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TestTimeout(what: "\(what): no outcome within \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// The first message of a server stream (its error if the call failed), waiting at most
/// `limit`; while waiting, `provoke` runs in a loop (every `every`) to make something happen.
/// Leaving cancels the call.
func firstMessage<T: Sendable>(of stream: RPCStream<T>, within limit: Duration = .seconds(30), provoking every: Duration = .milliseconds(300),
                               _ provoke: (@Sendable () async throws -> Void)? = nil) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            var it = stream.makeAsyncIterator()
            guard let first = try await it.next() else { throw TestTimeout(what: "the stream ended without a message") }
            return first
        }
        group.addTask {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                if let provoke { try await setup("provoke a stream message", provoke) }
                try await Task.sleep(for: provoke == nil ? limit : every)
            }
            throw TestTimeout(what: "no message within \(limit)")
        }
        defer { group.cancelAll() }
        while let result = try await group.next() {
            if let result { return result }
        }
        throw TestTimeout(what: "no message")
    }
}
