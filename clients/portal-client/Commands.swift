import PortalRPC

/// A subcommand and what it does.
struct Command {
    let spec: CommandSpec
    let run: @MainActor (Runner) async throws -> Void

    init(_ spec: CommandSpec, run: @escaping @MainActor (Runner) async throws -> Void) {
        self.spec = spec
        self.run = run
    }
}

enum Commands {
    static let globals: [FlagSpec] = [
        .value("server", "HOST:PORT", "the portal server (default: $PORTAL_SERVER, else the profile's, else 127.0.0.1:50051)"),
        .value("profile", "NAME", "whose session to use and keep (default 'default'); one file per profile in ~/.config/portal-client/"),
        .toggle("json", "print the response message as JSON (streams: one object per line)"),
        .repeated("field", "PATH", "print only this field of the JSON response, e.g. 'code' or 'staff.id'; repeat for several (one per line)"),
        .value("timeout", "SECONDS", "deadline of each call (default 30; 0 for none; watches and uploads have none unless given)"),
    ]

    static let generalGroup = "Other commands"

    static let general: [Command] = [
        Command(CommandSpec(
            name: "health", group: generalGroup,
            summary: "Ask the server's grpc.health.v1 service; exits 0 only when SERVING.",
            flags: [.value("service", "NAME", "a service name (default: the server as a whole)")],
            example: "portal-client health"
        )) { try await $0.healthCheck() },
    ]

    static let all: [Command] = citizen + officer + admin + general
    static var specs: [CommandSpec] { all.map(\.spec) }
    static let groups = [citizenGroup, officerGroup, adminGroup, generalGroup]

    static let intro = """
    A test client for the CitizenPortal server (Khyber Pakhtunkhwa Citizen's Portal): every citizen,
    officer and admin call as a subcommand. Sessions are kept per --profile, so a citizen, a DC and an
    officer can work side by side from one shell.
    """

    static let footer = """
    Exit status: 0 OK; 2 bad usage; otherwise the call's gRPC status code, e.g. 3 INVALID_ARGUMENT,
    5 NOT_FOUND, 7 PERMISSION_DENIED, 9 FAILED_PRECONDITION, 14 UNAVAILABLE, 16 UNAUTHENTICATED
    (the message goes to stderr as 'error: CODE_NAME: message'); 74 a local file or profile could
    not be read or written.

    Run '\(Runner.tool) COMMAND --help' for a command's flags and an example.
    """
}

extension Runner {
    func healthCheck() async throws {
        var r = Grpc_Health_V1_HealthCheckRequest()
        r.service = args.value("service") ?? ""
        let response = try await health.check(r, options: anonymous)
        try emit(response) { r in EnumNames.short(r.status, prefix: "") }
        if response.status != .serving {
            throw RPCError(code: .unavailable, message: "the server reports \(response.status.protoName ?? "status \(response.status.rawValue)")")
        }
    }
}

/// The whole program, minus the process: arguments and environment in, exit status out.
@MainActor
enum PortalClient {
    static func main(_ argv: [String], environment: @escaping (String) -> String?) async -> Int32 {
        let invocation: Invocation
        do {
            invocation = try CommandLineParser.parse(argv, globals: Commands.globals, commands: Commands.specs)
        } catch {
            return usageFailure(error)
        }
        switch invocation {
        case .toolHelp:
            Console.out(CommandLineParser.toolHelp(tool: Runner.tool, intro: Commands.intro, globals: Commands.globals,
                                                   commands: Commands.specs, groups: Commands.groups, footer: Commands.footer))
            return 0
        case .commandHelp(let spec):
            Console.out(CommandLineParser.help(tool: Runner.tool, for: spec, globals: Commands.globals))
            return 0
        case .run(let spec, let args):
            guard let command = Commands.all.first(where: { $0.spec.name == spec.name }) else { return 70 }
            var runner: Runner?
            defer { runner?.close() }
            do {
                runner = try Runner(command: spec, args: args, environment: environment)
                try await command.run(runner!)
                Console.flush()
                return 0
            } catch {
                Console.flush()
                return failure(error, runner: runner)
            }
        }
    }

    static func usageFailure(_ error: UsageError) -> Int32 {
        Console.err("error: \(error.message)")
        Console.err(error.command.map { "see '\(Runner.tool) \($0) --help'" } ?? "see '\(Runner.tool) --help'")
        return 2
    }

    /// Prints the error and returns the exit status: the gRPC code for a failed call.
    static func failure(_ error: any Error, runner: Runner?) -> Int32 {
        switch error {
        case let e as UsageError:
            return usageFailure(e)
        case let e as RPCError:
            Console.err("error: \(e.code): \(e.message)")
            if e.code == .unauthenticated, let runner, runner.profile.token == nil,
               !["login", "officer-login", "logout"].contains(runner.command.name) {
                Console.err("(profile '\(runner.profileName)' has no session; sign in first: \(Runner.tool)\(runner.profileFlag) login … or \(Runner.tool)\(runner.profileFlag) officer-login …)")
            }
            return Int32(e.code.rawValue)
        case let e as LocalError:
            Console.err("error: \(e.description)")
            return 74
        default:
            Console.err("error: \(error)")
            return 70
        }
    }
}
