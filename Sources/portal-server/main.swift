import CPortalSystem
import Dispatch
import PortalRPC
#if canImport(Glibc)
import Glibc
#endif

// portal-server: the CitizenPortal RPC server. Today it serves the RPC runtime and the
// standard health service; the citizen, officer and admin services arrive with the portal
// core (issue 4) and register on the same router.

// Line-buffered stdout, so a supervisor reading through a pipe sees the listening line at once.
cps_line_buffer_stdout()

struct Options {
    var host = "127.0.0.1"
    var port = 50051
    var eventLoops = RPCServer.coreCount
    var grace: Duration = .seconds(10)
}

func usage(_ code: Int32) -> Never {
    print("""
    usage: portal-server [--host ADDR] [--port N] [--event-loops N] [--grace SECONDS]

      --host ADDR        listen address (default 127.0.0.1; 0.0.0.0 or :: for all interfaces)
      --port N           TCP port (default 50051; 0 picks a free port and prints it)
      --event-loops N    event-loop threads (default: one per core)
      --grace SECONDS    on SIGTERM/SIGINT, how long open calls may finish (default 10)
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
    case "--event-loops":
        guard let n = Int(value(arg)), n > 0 else { print("portal-server: --event-loops must be positive"); usage(2) }
        options.eventLoops = n
    case "--grace":
        guard let s = Int(value(arg)), s >= 0 else { print("portal-server: --grace must be a number of seconds"); usage(2) }
        options.grace = .seconds(s)
    case "-h", "--help": usage(0)
    default:
        print("portal-server: unknown argument \(arg)")
        usage(2)
    }
}

var config = ServerConfiguration()
config.host = options.host
config.port = options.port
config.eventLoops = options.eventLoops

let health = HealthService()
var router = RPCRouter()
health.registerMethods(with: &router)

let server: RPCServer
do {
    server = try RPCServer(configuration: config, router: router)
    try server.start()
} catch {
    print("portal-server: cannot start: \(error)")
    exit(1)
}
print("portal-server listening on \(server.localAddress) (\(options.eventLoops) event loops)")
print("methods: \(router.methods.map(\.path).joined(separator: ", "))")

// SIGTERM/SIGINT: GOAWAY to every client, let open calls finish, exit.
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let signals = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: .main) }
for source in signals {
    source.setEventHandler {
        print("portal-server: shutting down (grace \(options.grace))")
        health.shutDown()
        Task {
            await server.shutdown(grace: options.grace)
            print("portal-server: stopped")
            exit(0)
        }
    }
    source.resume()
}
dispatchMain()
