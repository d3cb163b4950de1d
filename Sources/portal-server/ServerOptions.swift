import PortalRPC
import PortalServices
import PortalStore

/// Everything portal-server can be told, with its defaults. Flags and the config file set
/// the same settings by the same names (`ServerOptions.settings`); see `parse(_:readFile:)`
/// for the precedence: flags, then the config file, then these defaults.
struct ServerOptions {
    /// RPC listener, event loops and limits (host, port and loops are set here too).
    var server = ServerConfiguration()
    /// Data folder, store, seed, development mode and escalation settings.
    var portal = PortalConfiguration()
    /// On SIGTERM/SIGINT, how long open calls may finish.
    var grace: Duration = .seconds(10)
    /// Port of the HTTP metrics endpoint (0 = off).
    var metricsPort = 0
    /// The HTTP gateway (Connect unary calls, dashboards): its limits, and its port if set
    /// (`--http-port`; -1 = off). Unset, it is 8080, or a free port when `--port 0` is given
    /// (so servers started side by side by tests do not collide).
    var http = HTTPGatewayConfiguration()
    var httpPort: Int?
    /// Serve the dashboards from this folder instead of the bundled copy (development).
    var webRoot: String?

    /// The gateway's port, or nil when it is off.
    var resolvedHTTPPort: Int? {
        switch httpPort {
        case .some(-1): return nil
        case .some(let port): return port
        case .none: return server.port == 0 ? 0 : 8080
        }
    }
    var logLevel: LogLevel = .info
    var logFormat: LogFormat = .text
    /// The config file read, if any (for the start-up line).
    var configFile: String?

    init() {
        server.eventLoops = max(1, RPCServer.coreCount)
    }

    /// What the command line asks for.
    enum Invocation {
        case help
        case run(ServerOptions)
    }
}

/// A mistake in the flags or the config file: portal-server says what and exits with 2.
struct UsageError: Error, Equatable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
