#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PortalRPC
import PortalServices
import PortalStore

typealias CitizenClient = Portal_V1_CitizenService_Client<RPCClient>
typealias OfficerClient = Portal_V1_OfficerService_Client<RPCClient>
typealias AdminClient = Portal_V1_AdminService_Client<RPCClient>

/// Fixed credentials of a generated data set. They are benchmark data, not secrets: the data
/// directory exists only on the benchmark machine.
enum BenchCredentials {
    static let adminPassword = "Bench-Admin-Passw0rd-2026"
    /// Every generated citizen (and the template citizen registered through the API) has it.
    static let citizenPassword = "Khyber-Bench-Passw0rd-7"
}

/// `DIR/bench-accounts.txt`: `key=value` lines written by `generate` (staff usernames and
/// one-time passwords, the id range of the generated citizens).
struct BenchAccounts {
    var values: [String: String] = [:]

    static func path(_ data: String) -> String { data + "/bench-accounts.txt" }

    static func load(_ data: String) -> BenchAccounts {
        guard let text = readTextFile(path(data)) else { fail("\(path(data)) is missing: run `portal-bench generate` first") }
        var a = BenchAccounts()
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            a.values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return a
    }

    func save(_ data: String) {
        writeTextFile(Self.path(data), values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: "\n") + "\n")
    }

    subscript(_ key: String) -> String {
        guard let v = values[key] else { fail("bench-accounts.txt has no \(key)") }
        return v
    }
}

/// The generated citizens' identities: citizen number `i` (0-based) of the bulk set.
enum GeneratedCitizen {
    static func cnic(_ i: Int) -> String {
        let digits = String(i)
        return "17" + String(repeating: "0", count: 11 - digits.count) + digits
    }
    static func mobile(_ i: Int) -> String {
        let digits = String(i)
        return "+9231" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// A portal started in this process: PortalApp + RPCServer on a free loopback port.
struct LocalPortal: Sendable {
    let app: PortalApp
    let server: RPCServer

    static func configuration(data: String, options: Options) -> PortalConfiguration {
        var c = PortalConfiguration()
        c.dataDirectory = data
        c.bootstrapAdminPassword = BenchCredentials.adminPassword
        switch options.string("sync", "normal") {
        case "normal": c.store.synchronous = .normal
        case "full": c.store.synchronous = .full
        case "off": c.store.synchronous = .off
        case let s: fail("--sync must be normal, full or off (not \(s))")
        }
        if let readers = Int(options.string("readers", "")) { c.store.readers = readers }
        if let frames = Int(options.string("wal-restart-frames", "")) { c.store.walRestartFrames = frames }
        return c
    }

    static func start(data: String, options: Options, port: Int = 0) async throws -> LocalPortal {
        let configuration = configuration(data: data, options: options)
        // The escalation scheduler stays off: a generated data set is already escalated as the
        // policy says, and a benchmark run must not be joined by a background writer.
        let app = try await PortalApp(configuration: configuration, runEscalation: false)
        if options.flag("experiment-checkpointer") { try await startCheckpointer(app, data: data) }
        if let mib = Int(options.string("experiment-writer-cache-mib", "")) { try await setWriterCache(app, mib: mib) }
        if let sql = options.optionalString("experiment-writer-pragma") {
            // EXPERIMENT: any PRAGMA on the writer connection (e.g. `PRAGMA temp_store = MEMORY`).
            try await app.core.store.write { db in try db.execute(sql) }
            say("EXPERIMENT: writer \(sql)")
        }
        var router = RPCRouter()
        app.registerServices(with: &router)
        var sc = ServerConfiguration()
        sc.port = port
        if let loops = Int(options.string("loops", "")) { sc.eventLoops = loops }
        let server = try RPCServer(configuration: sc, router: router)
        try server.start()
        return LocalPortal(app: app, server: server)
    }

    var port: Int { server.localAddress.port }

    func stop() async {
        await server.shutdown(grace: .seconds(2))
        await app.shutdown()
    }
}

/// EXPERIMENT, not the product's configuration: WAL checkpoints off the writer thread. The
/// writer's connection gets `wal_autocheckpoint = 0` (through an ordinary `Store.write`, whose
/// body runs on it), and a thread of our own with its own connection runs
/// `PRAGMA wal_checkpoint(PASSIVE)` every 100 ms. Shows what moving the checkpoint (and its
/// fsyncs) out of the group commit would be worth; see docs/PERFORMANCE-PORTAL.md.
func startCheckpointer(_ app: PortalApp, data: String) async throws {
    try await app.core.store.write { db in try db.execute("PRAGMA wal_autocheckpoint = 0") }
    let path = app.core.store.path
    let thread = Thread {
        guard let db = try? Database(path: path) else { return }
        while true {
            _ = try? db.query("PRAGMA wal_checkpoint(PASSIVE)") { $0.int(0) }
            usleep(100_000)
        }
    }
    thread.name = "bench-checkpointer"
    thread.start()
    say("EXPERIMENT: writer wal_autocheckpoint=0, PASSIVE checkpoints every 100 ms on a separate connection")
}

/// EXPERIMENT, not the product's configuration: a bigger page cache for the writer connection
/// (`PRAGMA cache_size`, set through an ordinary `Store.write`, whose body runs on it).
func setWriterCache(_ app: PortalApp, mib: Int) async throws {
    try await app.core.store.write { db in try db.execute("PRAGMA cache_size = -\(mib * 1024)") }
    say("EXPERIMENT: writer cache_size = \(mib) MiB")
}

/// Where the clients connect: `--port P` (a `portal-bench serve` process) or a portal started
/// in this process.
struct Target: Sendable {
    let port: Int
    let local: LocalPortal?

    static func open(_ options: Options) async throws -> Target {
        let port = options.int("port", 0)
        if port > 0 { return Target(port: port, local: nil) }
        let local = try await LocalPortal.start(data: options.dataDirectory, options: options)
        return Target(port: local.port, local: local)
    }

    func client() throws -> RPCClient {
        try RPCClient(target: SocketAddress(host: "127.0.0.1", port: port))
    }

    func stop() async { await local?.stop() }

    var mode: String { local == nil ? "separate server process (port \(port))" : "in-process server" }
}

func bearer(_ token: String) -> RPCCallOptions {
    RPCCallOptions(metadata: ["authorization": "Bearer \(token)"])
}

func staffLogin(_ client: RPCClient, username: String, password: String) async throws -> String {
    var r = Portal_V1_StaffLoginRequest()
    r.username = username
    r.password = password
    return try await OfficerClient(transport: client).login(r).token
}

func citizenLogin(_ client: RPCClient, cnic: String, password: String) async throws -> String {
    var r = Portal_V1_CitizenLoginRequest()
    r.identity = .cnic(cnic)
    r.password = password
    return try await CitizenClient(transport: client).login(r).token
}

/// `portal-bench serve --data DIR [--sync normal|full] [--port P] [--stats-ms 250]`: a portal
/// server for separate-process runs. Prints `LISTENING <port> pid=<pid>`, then every
/// `--stats-ms` a `STORE` line (monotonic time, the store's counters, this process's CPU
/// seconds), and serves until killed.
func serve(_ options: Options) async throws {
    let portal = try await LocalPortal.start(data: options.dataDirectory, options: options, port: options.int("port", 0))
    say("LISTENING \(portal.port) pid=\(getpid()) sync=\(options.string("sync", "normal"))")
    fflush(nil)
    let interval = options.int("stats-ms", 250)
    while true {
        say(ServerSample.take(portal.app).line)
        fflush(nil)
        try await Task.sleep(for: .milliseconds(interval))
    }
}

/// The server's counters at one moment.
struct ServerSample: Sendable {
    var mono: UInt64
    var commits = 0, writes = 0, failed = 0, reads = 0
    var cpu = 0.0
    var checkpoints = 0, walRestarts = 0

    static func take(_ app: PortalApp) -> ServerSample {
        let s = app.core.store.statistics
        var sample = ServerSample(mono: nowNanos(), commits: s.commits, writes: s.writes, failed: s.failedWrites, reads: s.reads,
                                  cpu: processCPUSeconds())
        sample.checkpoints = s.checkpoints
        sample.walRestarts = s.walRestarts
        return sample
    }

    var line: String {
        "STORE mono_ns=\(mono) commits=\(commits) writes=\(writes) failed=\(failed) reads=\(reads) cpu_s=\(fmt(cpu, 3))"
            + " checkpoints=\(checkpoints) wal_restarts=\(walRestarts)"
    }

    init(mono: UInt64, commits: Int = 0, writes: Int = 0, failed: Int = 0, reads: Int = 0, cpu: Double = 0) {
        self.mono = mono; self.commits = commits; self.writes = writes; self.failed = failed; self.reads = reads; self.cpu = cpu
    }

    init?(line: Substring) {
        guard line.hasPrefix("STORE ") else { return nil }
        var f: [String: String] = [:]
        for part in line.split(separator: " ").dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { f[String(kv[0])] = String(kv[1]) }
        }
        guard let mono = f["mono_ns"].flatMap({ UInt64($0) }) else { return nil }
        self.mono = mono
        commits = Int(f["commits"] ?? "") ?? 0
        writes = Int(f["writes"] ?? "") ?? 0
        failed = Int(f["failed"] ?? "") ?? 0
        reads = Int(f["reads"] ?? "") ?? 0
        cpu = Double(f["cpu_s"] ?? "") ?? 0
    }
}

/// What the server did during a client's measurement window: from samples taken in this
/// process (in-process server; the CPU is then the whole process's, clients included), or from
/// a `serve` process's STORE lines (`--server-log FILE`).
struct ServerProbe: Sendable {
    let target: Target
    let logPath: String?

    init(_ target: Target, _ options: Options) {
        self.target = target
        self.logPath = options.optionalString("server-log")
    }

    func sample() -> ServerSample? { target.local.map { ServerSample.take($0.app) } }

    /// `key=value` fields for the RESULT line.
    func fields(start: ServerSample?, windowStart: UInt64, windowEnd: UInt64) async -> String {
        var a = start, b: ServerSample?
        if target.local != nil {
            b = sample()
        } else if let logPath {
            try? await Task.sleep(for: .milliseconds(600))  // let the server print a line after the window
            let samples = (readTextFile(logPath) ?? "").split(separator: "\n").compactMap { ServerSample(line: $0) }
            a = samples.last { $0.mono <= windowStart }
            b = samples.first { $0.mono >= windowEnd }
        }
        guard let a, let b, b.mono > a.mono else { return "srv=unknown" }
        let secs = Double(b.mono - a.mono) / 1e9
        let commits = b.commits - a.commits, writes = b.writes - a.writes
        let batch = commits > 0 ? Double(writes) / Double(commits) : 0
        let who = target.local != nil ? "proc_cores" : "srv_cores"
        return "srv_commits_s=\(fmt(Double(commits) / secs, 0)) srv_writes_s=\(fmt(Double(writes) / secs, 0)) "
            + "srv_batch=\(fmt(batch, 1)) srv_reads_s=\(fmt(Double(b.reads - a.reads) / secs, 0)) "
            + "srv_failed=\(b.failed - a.failed) \(who)=\(fmt((b.cpu - a.cpu) / secs, 2))"
    }
}
