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
