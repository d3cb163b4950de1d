import Dispatch
import PortalRPC
#if canImport(Glibc)
import Glibc
#endif

typealias CitizenStub = Portal_V1_CitizenService_Client<RPCClient>
typealias OfficerStub = Portal_V1_OfficerService_Client<RPCClient>
typealias AdminStub = Portal_V1_AdminService_Client<RPCClient>

/// How responses are printed.
enum OutputMode: Equatable {
    case human
    /// The response message as JSON (streams: one compact object per line).
    case json
    /// Values of the JSON form, by dotted path (`staff.id`), one per line: strings raw,
    /// objects and arrays as one-line JSON.
    case fields([String])
}

/// One invocation: its arguments, profile, connection and output. Commands are methods on it.
@MainActor
final class Runner {
    nonisolated static let tool = "portal-client"
    nonisolated static let defaultServer = "127.0.0.1:50051"

    let args: ParsedArguments
    let command: CommandSpec
    let profileName: String
    let store: ProfileStore
    var profile: Profile
    let server: String
    let output: OutputMode
    let timeout: Duration?
    let environment: (String) -> String?
    private var connection: RPCClient?

    init(command: CommandSpec, args: ParsedArguments, environment: @escaping (String) -> String?) throws {
        self.environment = environment
        self.command = command
        self.args = args
        profileName = args.value("profile") ?? "default"
        guard ProfileStore.validName(profileName) else {
            throw UsageError(message: "--profile must be letters, digits, '.', '_' or '-' (not starting with '.')", command: command.name)
        }
        store = ProfileStore(directory: try ProfileStore.directory(environment: environment))
        profile = try store.load(profileName)
        server = args.value("server") ?? environment("PORTAL_SERVER").flatMap { $0.isEmpty ? nil : $0 } ?? profile.server ?? Self.defaultServer
        if args.has("json") && args.has("field") { throw UsageError(message: "--json and --field exclude each other", command: command.name) }
        output = args.has("field") ? .fields(args.all("field")) : args.has("json") ? .json : .human
        if let t = args.value("timeout") {
            guard let seconds = Double(t), seconds >= 0 else { throw UsageError(message: "--timeout must be a number of seconds", command: command.name) }
            timeout = seconds == 0 ? nil : .milliseconds(Int64(seconds * 1000))
        } else {
            timeout = .seconds(30)
        }
    }

    // MARK: Connection

    func client() throws -> RPCClient {
        if let connection { return connection }
        guard let address = Self.resolve(server) else {
            throw UsageError(message: "--server must be HOST:PORT (e.g. 127.0.0.1:50051 or [::1]:50051); cannot use '\(server)'", command: command.name)
        }
        let c = try RPCClient(target: address)
        connection = c
        return c
    }

    var citizen: CitizenStub { get throws { CitizenStub(transport: try client()) } }
    var officer: OfficerStub { get throws { OfficerStub(transport: try client()) } }
    var admin: AdminStub { get throws { AdminStub(transport: try client()) } }
    var health: Grpc_Health_V1_Health_Client<RPCClient> { get throws { .init(transport: try client()) } }

    func close() { connection?.close() }

    /// `host:port` to an address the RPC client can dial: IP literals as they are, names
    /// resolved once with getaddrinfo (IPv4 first).
    static func resolve(_ text: String) -> SocketAddress? {
        guard let parsed = SocketAddress(text), !parsed.host.isEmpty else { return nil }
        var probe4 = in_addr(), probe6 = in6_addr()
        if parsed.host == "localhost" || inet_pton(AF_INET, parsed.host, &probe4) == 1 || inet_pton(AF_INET6, parsed.host, &probe6) == 1 {
            return parsed
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(parsed.host, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        var found: SocketAddress?
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if n.pointee.ai_family == AF_INET, let sa = n.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { var a = $0.pointee.sin_addr; _ = inet_ntop(AF_INET, &a, &text, socklen_t(text.count)) }
                return SocketAddress(host: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), port: parsed.port)
            }
            if found == nil, n.pointee.ai_family == AF_INET6, let sa = n.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { var a = $0.pointee.sin6_addr; _ = inet_ntop(AF_INET6, &a, &text, socklen_t(text.count)) }
                found = SocketAddress(host: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), port: parsed.port)
            }
            node = n.pointee.ai_next
        }
        return found
    }

    // MARK: Call options

    /// Options for a unary call: the session token when the profile has one, the timeout.
    var signedIn: RPCCallOptions { options(streaming: false, authenticated: true) }
    /// Options for a call that needs no session.
    var anonymous: RPCCallOptions { options(streaming: false, authenticated: false) }
    /// Options for a long-lived stream: the token, no deadline.
    var watching: RPCCallOptions { options(streaming: true, authenticated: true) }
    /// Options for an upload: the token, and a deadline only when --timeout asks for one
    /// (a 100 MiB video on a slow link takes longer than the default).
    var uploading: RPCCallOptions { options(streaming: !args.has("timeout"), authenticated: true) }

    private func options(streaming: Bool, authenticated: Bool) -> RPCCallOptions {
        var metadata = RPCMetadata()
        if authenticated, let token = profile.token { metadata.add("authorization", "Bearer \(token)") }
        return RPCCallOptions(timeout: streaming ? nil : timeout, metadata: metadata)
    }

    func saveProfile() throws {
        try store.save(profile, as: profileName)
    }

    /// Remembers a new session (and the server it belongs to).
    func remember(_ session: Portal_V1_Session) throws {
        if profile.subjectId != session.subjectId || profile.role != session.role.protoName { profile.lastSequence = nil }
        profile.server = server
        profile.token = session.token
        profile.role = session.role.protoName
        profile.subjectId = session.subjectId
        profile.expiresAt = session.expiresAt.map { Time.rfc3339(seconds: $0.seconds, nanos: 0) }
        try saveProfile()
    }

    // MARK: Output

    /// Prints a response: `--json`, `--field`, or the human rendering.
    func emit<M: ProtoMessage>(_ message: M, _ human: (M) -> String) throws {
        switch output {
        case .human:
            let text = human(message)
            if !text.isEmpty { Console.out(text) }
        case .json:
            Console.out(MessageJSON.object(message).serialized(pretty: true))
        case .fields(let paths):
            Console.out(try paths.map { try Self.field($0, of: message) }.joined(separator: "\n"))
        }
    }

    /// Prints one message of a stream: one line of JSON in `--json` mode.
    func emitStreamed<M: ProtoMessage>(_ message: M, _ human: (M) -> String) throws {
        switch output {
        case .human: Console.out(human(message))
        case .json: Console.out(MessageJSON.object(message).serialized(pretty: false))
        case .fields(let paths): Console.out(try paths.map { try Self.field($0, of: message) }.joined(separator: "\n"))
        }
        Console.flush()
    }

    /// A human-only note (progress, hints) on stderr, so stdout stays the response.
    func note(_ text: String) {
        Console.err(text)
    }

    nonisolated static func field(_ path: String, of message: some ProtoMessage) throws -> String {
        guard let value = MessageJSON.object(message).lookup(path) else {
            throw UsageError(message: "--field: the \(type(of: message).protoMessageName) response has no field '\(path)'")
        }
        switch value {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array, .object: return value.serialized(pretty: false)
        }
    }

    // MARK: Argument helpers

    func required(_ flag: String) throws -> String {
        guard let v = args.value(flag) else { throw UsageError(message: "missing --\(flag)", command: command.name) }
        return v
    }

    func usage(_ message: String) -> UsageError { UsageError(message: message, command: command.name) }

    func uint(_ flag: String, range: ClosedRange<UInt64>? = nil) throws -> UInt64? {
        guard let text = args.value(flag) else { return nil }
        guard let v = UInt64(text), range.map({ $0.contains(v) }) ?? true else {
            throw usage("--\(flag) must be \(range.map { "a whole number from \($0.lowerBound) to \($0.upperBound)" } ?? "a whole number ≥ 0")")
        }
        return v
    }

    func double(_ flag: String) throws -> Double? {
        guard let text = args.value(flag) else { return nil }
        guard let v = Double(text), v.isFinite else { throw usage("--\(flag) must be a number") }
        return v
    }

    func timestamp(_ flag: String) throws -> Google_Protobuf_Timestamp? {
        guard let text = args.value(flag) else { return nil }
        guard let t = Time.parse(text) else {
            throw usage("--\(flag) must be a date (2026-05-01) or a time with zone (2026-05-01T10:30Z, 2026-05-01T15:30+05:00)")
        }
        return t
    }

    func statuses(_ flag: String = "status") throws -> [Portal_V1_ComplaintStatus] {
        try args.all(flag).flatMap { $0.split(separator: ",") }.map { text in
            guard let s = EnumNames.parse(String(text), as: Portal_V1_ComplaintStatus.self, prefix: "COMPLAINT_STATUS_") else {
                throw usage("--\(flag) '\(text)' is not a status (\(EnumNames.choices(Portal_V1_ComplaintStatus.self, prefix: "COMPLAINT_STATUS_")))")
            }
            return s
        }
    }

    func tier(_ flag: String) throws -> Portal_V1_Tier? {
        guard let text = args.value(flag) else { return nil }
        guard let t = EnumNames.parse(text, as: Portal_V1_Tier.self, prefix: "TIER_") else {
            throw usage("--\(flag) must be one of \(EnumNames.choices(Portal_V1_Tier.self, prefix: "TIER_"))")
        }
        return t
    }

    func role(_ flag: String) throws -> Portal_V1_Role? {
        guard let text = args.value(flag) else { return nil }
        guard let r = EnumNames.parse(text, as: Portal_V1_Role.self, prefix: "ROLE_", aliases: EnumNames.roleAliases) else {
            throw usage("--\(flag) must be one of \(EnumNames.choices(Portal_V1_Role.self, prefix: "ROLE_", aliases: ["officer", "dc", "cs"]))")
        }
        return r
    }

    /// A password: `--password`, else `PORTAL_PASSWORD`, else asked on the terminal.
    func password() throws -> String {
        if let p = args.value("password") { return p }
        if let p = environment("PORTAL_PASSWORD"), !p.isEmpty { return p }
        guard isatty(0) == 1, let p = getpass("Password: ").map({ String(cString: $0) }), !p.isEmpty else {
            throw usage("give --password, set PORTAL_PASSWORD, or run on a terminal to be asked")
        }
        return p
    }

    // MARK: Streams

    /// Reads a server stream until `count` messages, the interrupt (SIGINT), or an error. A
    /// stream that breaks with UNAVAILABLE after it was open (server restart) is reopened
    /// with backoff by calling `open` again, which should resume from what was seen.
    func follow<M: Sendable>(count: UInt64?, reconnectNote: String,
                             open: @escaping () async throws -> RPCStream<M>,
                             each: @escaping (M) throws -> Void) async throws {
        let interrupted = Interrupt.install()
        defer { interrupted.remove() }
        let task = Task { @MainActor in
            var seen: UInt64 = 0
            var opened = false
            var delay = 1.0
            while true {
                var stream: RPCStream<M>
                do {
                    stream = try await open()
                } catch let e as RPCError where opened && e.code == .unavailable {
                    try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                    delay = min(delay * 2, 10)
                    continue
                }
                opened = true
                do {
                    for try await message in stream {
                        delay = 1
                        try each(message)
                        seen += 1
                        if let count, seen >= count { return }
                    }
                    return  // the server ended the stream cleanly
                } catch let e as RPCError where e.code == .unavailable {
                    self.note("\(Self.tool): stream interrupted (\(e.message)); reconnecting. \(reconnectNote)")
                    try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                    delay = min(delay * 2, 10)
                }
            }
        }
        interrupted.onSignal { task.cancel() }
        do {
            try await task.value
        } catch let e as RPCError where e.code == .cancelled && interrupted.fired {
            return
        } catch is CancellationError where interrupted.fired {
            return
        }
    }
}

/// stdout and stderr, line by line.
enum Console {
    static func out(_ text: String) {
        print(text)
    }

    static func err(_ text: String) {
        var line = text + "\n"
        line.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }

    static func flush() { fflush(nil) }
}

/// SIGINT while a stream is followed: the stream is cancelled and the command ends normally.
final class Interrupt: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private let lock = DispatchQueue(label: "portal-client.interrupt")
    private var handler: (@Sendable () -> Void)?
    private var _fired = false

    private init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    }

    static func install() -> Interrupt {
        let i = Interrupt()
        i.source.setEventHandler { [weak i] in
            guard let i else { return }
            let h = i.lock.sync { () -> (@Sendable () -> Void)? in i._fired = true; return i.handler }
            h?()
        }
        i.source.resume()
        return i
    }

    var fired: Bool { lock.sync { _fired } }

    func onSignal(_ h: @escaping @Sendable () -> Void) {
        let already = lock.sync { () -> Bool in handler = h; return _fired }
        if already { h() }
    }

    func remove() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
