import CPortalSystem
import Dispatch
import PortalRPC
import PortalServices
import PortalStore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// portal-server: the CitizenPortal server. With no flags it keeps its data in ./data (SQLite,
// attachments, the SMS outbox), seeds Khyber Pakhtunkhwa's divisions, districts, departments
// and categories on first start, creates the bootstrap admin and prints its one-time password
// once, and serves the citizen, officer, admin and health services on 127.0.0.1:50051.

// Line-buffered stdout, so a supervisor reading through a pipe sees the listening line at once.
cps_line_buffer_stdout()

struct Options {
    var host = "127.0.0.1"
    var port = 50051
    var eventLoops = RPCServer.coreCount
    var grace: Duration = .seconds(10)
    /// Port of the HTTP metrics endpoint (0 = off).
    var metricsPort = 0
    var portal = PortalConfiguration()
    /// Server limits (defaults from ServerConfiguration); the flags below override them.
    var server = ServerConfiguration()
}

func usage(_ code: Int32) -> Never {
    print("""
    usage: portal-server [--host ADDR] [--port N] [--data DIR] [--sync normal|full] [--seed FILE] [--dev]
                         [--event-loops N] [--grace SECONDS] [--metrics-port N] [limits]

      --host ADDR        listen address (default 127.0.0.1; 0.0.0.0 or :: for all interfaces)
      --port N           TCP port (default 50051; 0 picks a free port and prints it)
      --data DIR         data folder: portal.sqlite, attachments/, sms-outbox.log (default ./data)
      --sync MODE        normal (default): an acknowledged write survives a crash or kill -9 of the
                         server; full: also survives power loss or an OS crash (one fsync per
                         group commit)
      --seed FILE        jurisdiction/category seed JSON for a first start (default: the bundled
                         Khyber Pakhtunkhwa file)
      --dev              development mode: admins may move the clock with AdminService.AdvanceClock
                         (portal-client advance-clock) to show escalation; never in production
      --event-loops N    event-loop threads (default: one per core)
      --grace SECONDS    on SIGTERM/SIGINT, how long open calls may finish (default 10)
      --metrics-port N   serve Prometheus metrics (GET /metrics) and a liveness probe (GET /healthz)
                         over HTTP on this port of --host (default 0 = off)

    limits (docs/RELIABILITY.md; SECONDS may be fractional):
      --max-in-flight N             unary calls running at once before new calls get
                                    RESOURCE_EXHAUSTED "server overloaded" (default 2048)
      --max-queued-writes N         store writes waiting before more get UNAVAILABLE (default 4096)
      --partial-frame-timeout SECS  a started frame must be complete within this (default 30; 0 = off)
      --write-stall-timeout SECS    drop a client that takes no output for this long (default 30; 0 = off)
      --max-outbound-buffer BYTES   drop a client with this much output waiting (default 67108864)

    environment:
      PORTAL_ADMIN_PASSWORD   the bootstrap admin's password on first start (otherwise a random
                              one-time password is printed once)
    """)
    exit(code)
}

var options = Options()
var args = CommandLine.arguments.dropFirst()
@MainActor func value(_ flag: String) -> String {
    guard let v = args.popFirst() else {
        print("portal-server: \(flag) needs a value")
        usage(2)
    }
    return v
}
while let arg = args.popFirst() {
    switch arg {
    case "--host": options.host = value(arg)
    case "--port":
        guard let p = Int(value(arg)), (0...65535).contains(p) else { print("portal-server: --port must be 0-65535"); usage(2) }
        options.port = p
    case "--metrics-port":
        guard let p = Int(value(arg)), (0...65535).contains(p) else { print("portal-server: --metrics-port must be 0-65535"); usage(2) }
        options.metricsPort = p
    case "--data": options.portal.dataDirectory = value(arg)
    case "--sync":
        switch value(arg) {
        case "normal": options.portal.store.synchronous = .normal
        case "full": options.portal.store.synchronous = .full
        default: print("portal-server: --sync must be normal or full"); usage(2)
        }
    case "--seed": options.portal.seedFile = value(arg)
    case "--dev": options.portal.devMode = true
    case "--event-loops":
        guard let n = Int(value(arg)), n > 0 else { print("portal-server: --event-loops must be positive"); usage(2) }
        options.eventLoops = n
    case "--grace":
        guard let s = Int(value(arg)), s >= 0 else { print("portal-server: --grace must be a number of seconds"); usage(2) }
        options.grace = .seconds(s)
    case "--max-in-flight":
        guard let n = Int(value(arg)), n > 0 else { print("portal-server: --max-in-flight must be positive"); usage(2) }
        options.server.maxInFlightCalls = n
    case "--max-queued-writes":
        guard let n = Int(value(arg)), n > 0 else { print("portal-server: --max-queued-writes must be positive"); usage(2) }
        options.portal.store.maxQueuedWrites = n
    case "--partial-frame-timeout", "--write-stall-timeout":
        guard let s = Double(value(arg)), s >= 0, s < 86_400 else { print("portal-server: \(arg) must be a number of seconds"); usage(2) }
        let timeout: Duration? = s == 0 ? nil : .milliseconds(Int64(s * 1000))
        if arg == "--partial-frame-timeout" { options.server.partialFrameTimeout = timeout } else { options.server.writeStallTimeout = timeout }
    case "--max-outbound-buffer":
        guard let n = Int(value(arg)), n >= 65536 else { print("portal-server: --max-outbound-buffer must be at least 65536"); usage(2) }
        options.server.maxOutboundBuffer = n
    case "-h", "--help": usage(0)
    default:
        print("portal-server: unknown argument \(arg)")
        usage(2)
    }
}
if let password = getenv("PORTAL_ADMIN_PASSWORD").map({ String(cString: $0) }), !password.isEmpty {
    options.portal.bootstrapAdminPassword = password
}

/// What the signal handler needs once start-up finished.
final class Running: Sendable {
    let app: PortalApp
    let server: RPCServer
    let health: HealthService
    let metrics: MetricsHTTPServer?
    init(app: PortalApp, server: RPCServer, health: HealthService, metrics: MetricsHTTPServer?) {
        self.app = app; self.server = server; self.health = health; self.metrics = metrics
    }
}

/// The /metrics text: the RPC server's figures, then the store's.
func exposition(server: RPCServer, store: Store) -> String {
    let s = store.statistics
    var out = PrometheusText()
    out.single("portal_store_commits_total", type: "counter", help: "Transactions committed by the store's writer (one per group commit).", Double(s.commits))
    out.single("portal_store_writes_total", type: "counter", help: "Write items run inside committed transactions.", Double(s.writes))
    out.single("portal_store_failed_writes_total", type: "counter", help: "Write items whose body threw.", Double(s.failedWrites))
    out.single("portal_store_failed_batches_total", type: "counter", help: "Batches whose BEGIN or COMMIT failed.", Double(s.failedBatches))
    out.single("portal_store_reads_total", type: "counter", help: "Read items run by the store's readers.", Double(s.reads))
    out.single("portal_store_queued_writes", type: "gauge", help: "Write items waiting for the writer now.", Double(s.queuedWrites))
    out.single("portal_store_queued_reads", type: "gauge", help: "Read items waiting for a reader now.", Double(s.queuedReads))
    out.header("portal_store_commit_batch_size", type: "histogram", help: "Write items per group commit.")
    var cumulative = 0
    for (bound, n) in zip(StoreStatistics.batchSizeBucketBounds, s.batchSizes) {
        cumulative += n
        let le = bound == Int.max ? "+Inf" : String(bound)
        out.sample("portal_store_commit_batch_size_bucket", labels: ["le": le], Double(cumulative))
    }
    out.sample("portal_store_commit_batch_size_sum", Double(s.writes))
    out.sample("portal_store_commit_batch_size_count", Double(s.commits))
    return server.metricsExposition() + out.text
}
let running = Mutex<Running?>(nil)

let startOptions = options
Task {
    do {
        let clock: any PortalClock = startOptions.portal.devMode ? AdjustableClock() : SystemClock()
        let app = try await PortalApp(configuration: startOptions.portal, clock: clock)
        if startOptions.portal.devMode {
            print("portal-server: DEVELOPMENT MODE: admins may move the clock (AdminService.AdvanceClock); never use --dev in production")
        }
        if let admin = app.bootstrapAdmin {
            if startOptions.portal.bootstrapAdminPassword != nil {
                // Never echo a password the operator chose: it would land in logs.
                print("portal-server: created the bootstrap admin: username \(admin.username), password from PORTAL_ADMIN_PASSWORD")
            } else {
                print("portal-server: created the bootstrap admin: username \(admin.username), one-time password \(admin.password)")
            }
            print("portal-server: (shown once; sign in with OfficerService.Login and create real staff accounts)")
        }
        var config = startOptions.server
        config.host = startOptions.host
        config.port = startOptions.port
        config.eventLoops = startOptions.eventLoops
        let health = HealthService()
        var router = RPCRouter()
        health.registerMethods(with: &router)
        app.registerServices(with: &router)
        let server = try RPCServer(configuration: config, router: router)
        try server.start()
        var metrics: MetricsHTTPServer?
        if startOptions.metricsPort != 0 {
            let store = app.core.store
            let m = try MetricsHTTPServer(host: startOptions.host, port: startOptions.metricsPort) {
                exposition(server: server, store: store)
            }
            m.start()
            metrics = m
        }
        running.withLock { $0 = Running(app: app, server: server, health: health, metrics: metrics) }
        print("portal-server: data in \(startOptions.portal.dataDirectory)/ (sync \(startOptions.portal.store.synchronous.rawValue.lowercased()))")
        print("portal-server listening on \(server.localAddress) (\(startOptions.eventLoops) event loops, \(router.methods.count) methods)")
        if let metrics {
            let a = metrics.localAddress
            print("portal-server: metrics on http://\(a)/metrics (liveness: http://\(a)/healthz)")
        }
    } catch {
        print("portal-server: cannot start: \(error)")
        exit(1)
    }
}

// SIGTERM/SIGINT: GOAWAY to every client, let open calls finish, close the store, exit.
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let signals = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: .main) }
for source in signals {
    source.setEventHandler {
        guard let r = running.withLock({ $0 }) else { exit(1) }
        print("portal-server: shutting down (grace \(startOptions.grace))")
        r.health.shutDown()
        r.app.core.hub.close()
        Task {
            await r.server.shutdown(grace: startOptions.grace)
            await r.app.shutdown()
            r.metrics?.stop()
            print("portal-server: stopped")
            exit(0)
        }
    }
    source.resume()
}
dispatchMain()
