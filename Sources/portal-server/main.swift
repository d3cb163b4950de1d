import CPortalSystem
import Dispatch
import PortalRPC
import PortalServices
import PortalStore
import PortalWeb
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// portal-server: the CitizenPortal server. With no flags it keeps its data in ./data (SQLite,
// attachments, the SMS outbox), seeds Khyber Pakhtunkhwa's divisions, districts, departments
// and categories on first start, creates the bootstrap admin and prints its one-time password
// once, and serves the citizen, officer, admin and health services on 127.0.0.1:50051.
//
// Output: stdout carries the "portal-server listening on ADDR (...)" line that scripts read
// (and the bootstrap admin's credentials on a first start); everything else is the log, on
// stderr, in the chosen level and format (docs/OPERATIONS.md).

// Line-buffered stdout, so a supervisor reading through a pipe sees the listening line at once.
cps_line_buffer_stdout()
// A closed stderr pipe must not kill the server (sockets already send with MSG_NOSIGNAL).
signal(SIGPIPE, SIG_IGN)

/// Writes to stderr before the logger exists (usage errors).
func standardError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

var options: ServerOptions
do {
    switch try ServerOptions.parse(Array(CommandLine.arguments.dropFirst())) {
    case .help:
        print(ServerOptions.usage)
        exit(0)
    case .run(let parsed):
        options = parsed
    }
} catch {
    standardError("portal-server: \(error)\nportal-server --help lists the flags and config keys\n")
    exit(2)
}
if let password = getenv("PORTAL_ADMIN_PASSWORD").map({ String(cString: $0) }), !password.isEmpty {
    options.portal.bootstrapAdminPassword = password
}

let logger = Logger(level: options.logLevel, format: options.logFormat)

/// What the signal handler needs once start-up finished.
final class Running: Sendable {
    let app: PortalApp
    let server: RPCServer
    let health: HealthService
    let metrics: MetricsHTTPServer?
    let gateway: HTTPGateway?
    init(app: PortalApp, server: RPCServer, health: HealthService, metrics: MetricsHTTPServer?, gateway: HTTPGateway?) {
        self.app = app; self.server = server; self.health = health; self.metrics = metrics; self.gateway = gateway
    }
}
let running = Mutex<Running?>(nil)

let startOptions = options
Task {
    let portal = startOptions.portal
    do {
        logger.info("starting", ["data": .string(portal.dataDirectory), "sync": .string(portal.store.synchronous.rawValue.lowercased()),
                                 "config": .string(startOptions.configFile ?? "none"), "dev": .bool(portal.devMode)])
        let clock: any PortalClock = portal.devMode ? AdjustableClock() : SystemClock()
        let app = try await PortalApp(configuration: portal, clock: clock, logger: logger)
        if portal.devMode {
            logger.warn("development mode: admins may move the clock (AdminService.AdvanceClock); never use --dev in production")
        }
        if let admin = app.bootstrapAdmin {
            // The password goes to stdout once, never to the log.
            if portal.bootstrapAdminPassword != nil {
                // Never echo a password the operator chose.
                print("portal-server: created the bootstrap admin: username \(admin.username), password from PORTAL_ADMIN_PASSWORD")
            } else {
                print("portal-server: created the bootstrap admin: username \(admin.username), one-time password \(admin.password)")
            }
            print("portal-server: (shown once; sign in with OfficerService.Login and create real staff accounts)")
            logger.info("created the bootstrap admin", ["username": .string(admin.username)])
        }
        let policy = app.core.escalationPolicy
        logger.info("escalation policy", ["division_after_days": .int(policy.divisionAfterDays),
                                          "province_after_days": .int(policy.provinceAfterDays),
                                          "max_reopens": .int(policy.maxReopens)])
        let health = HealthService()
        var router = RPCRouter()
        health.registerMethods(with: &router)
        app.registerServices(with: &router)
        let server = try RPCServer(configuration: startOptions.server, router: router, logger: logger)
        try server.start()
        let gateway: HTTPGateway? = try startOptions.resolvedHTTPPort.map { httpPort in
            var http = startOptions.http
            http.host = startOptions.server.host
            http.port = httpPort
            let g = try HTTPGateway(configuration: http, server: server, staticFiles: try WebAssets.load(directory: startOptions.webRoot))
            try g.start()
            return g
        }
        var metrics: MetricsHTTPServer?
        if startOptions.metricsPort != 0 {
            let store = app.core.store
            let portalMetrics = app.core.metrics
            let m = try MetricsHTTPServer(host: startOptions.server.host, port: startOptions.metricsPort) {
                exposition(server: server, gateway: gateway, store: store, portal: portalMetrics, logger: logger)
            }
            m.start()
            metrics = m
        }
        running.withLock { $0 = Running(app: app, server: server, health: health, metrics: metrics, gateway: gateway) }
        let loops = startOptions.server.eventLoops
        // Scripts and tests read this line (scripts/demo.sh, clients/, Tests/Reliability/): keep its shape.
        print("portal-server listening on \(server.localAddress) (\(loops) event loops, \(router.methods.count) methods)")
        if let gateway {
            print("portal-server http on \(gateway.localAddress) (dashboards: http://\(gateway.localAddress)/dashboard/)")
        }
        var fields: [LogField] = [LogField("address", .string(server.localAddress.description)),
                                  LogField("event_loops", .int(loops)), LogField("methods", .int(router.methods.count))]
        if let gateway { fields.append(LogField("http", .string("http://\(gateway.localAddress)/"))) }
        if let metrics {
            fields.append(LogField("metrics", .string("http://\(metrics.localAddress)/metrics")))
            fields.append(LogField("liveness", .string("http://\(metrics.localAddress)/healthz")))
        }
        logger.log(.info, "listening", fields)
    } catch {
        let detail = (error as? any RPCErrorConvertible)?.rpcError.message ?? String(describing: error)
        logger.error("cannot start", ["error": .string(detail)])
        await logger.flush(timeout: .seconds(2))  // a stuck stderr must not hold the exit
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
        logger.info("shutting down", ["grace_seconds": .int(Int(startOptions.grace.components.seconds))])
        r.health.shutDown()
        r.app.core.hub.close()
        Task {
            async let gatewayDone: Void? = r.gateway?.shutdown(grace: startOptions.grace)
            await r.server.shutdown(grace: startOptions.grace)
            _ = await gatewayDone
            await r.app.shutdown()
            r.metrics?.stop()
            logger.info("stopped")
            await logger.flush(timeout: .seconds(2))  // a stuck stderr must not hold the exit
            exit(0)
        }
    }
    source.resume()
}
dispatchMain()
