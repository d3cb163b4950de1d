#if canImport(Glibc)
import Glibc
#endif

/// A command-line mistake; `main` prints it with a pointer to `--help` and exits 2.
public struct UsageError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What `--watchers` opens.
public enum WatchKind: String, Sendable, CaseIterable {
    /// CitizenService.WatchUpdates, one seeded citizen per stream (round robin).
    case updates
    /// OfficerService.WatchQueue as the seeded Deputy Commissioner.
    case queue
    /// Alternately one of each.
    case both
}

/// Everything a run is told on the command line.
public struct LoadOptions: Sendable, Equatable {
    public var target = "127.0.0.1:50051"
    public var allowRemote = false
    public var mix = Mix.default
    public var connections = 4
    public var inflight = 8
    /// Open loop at this many requests per second; nil is closed loop.
    public var rate: Double?
    /// Run length in seconds (after the warm-up); nil with `requests` set means "until done".
    public var duration: Double? = 10
    public var requests: Int?
    public var warmup: Double = 0
    public var watchers = 0
    public var watchKind = WatchKind.both
    public var citizens = 16
    public var complaintsPerCitizen = 2
    public var district = "PSH"
    public var dataDirectory: String?
    public var adminUser = "admin"
    public var adminPassword: String?
    public var seedConcurrency = 4
    /// Per-call deadline, seconds.
    public var timeout: Double = 10
    /// Open loop: a request sent more than this after its intended time is "late" (ms).
    public var lateMillis: Double = 1
    /// Open loop: a request this far behind its intended time is dropped, not sent (seconds).
    public var maxLag: Double?
    public var pageSize = 20
    public var json = false
    public var quiet = false
    public var smoke = false
    public var serverPID: Int32?
    public var seed: UInt64?

    public init() {}

    public var isOpenLoop: Bool { rate != nil }
    public var needsCitizens: Bool {
        mix.operations.contains(where: \.needsCitizens) || (watchers > 0 && watchKind != .queue)
    }
    public var needsOfficer: Bool {
        mix.operations.contains(where: \.needsOfficer) || (watchers > 0 && watchKind != .updates)
    }

    /// The `--smoke` preset: a few seconds at a low fixed rate on two connections, a handful
    /// of citizens and watchers; flags given explicitly still win.
    static func smokePreset(_ o: inout LoadOptions, given: Set<String>) {
        if !given.contains("--duration") && !given.contains("--requests") { o.duration = 3 }
        if !given.contains("--rate") { o.rate = 40 }
        if !given.contains("--connections") { o.connections = 2 }
        if !given.contains("--inflight") { o.inflight = 4 }
        if !given.contains("--citizens") { o.citizens = 4 }
        if !given.contains("--complaints-per-citizen") { o.complaintsPerCitizen = 1 }
        if !given.contains("--watchers") { o.watchers = 2 }
        if !given.contains("--mix") && o.adminPassword == nil {
            // Without the admin password there is no DC: keep everything else.
            o.mix = try! Mix(parsing: "file=20,get=40,list=20,health=15")
            if !given.contains("--watch") { o.watchKind = .updates }
        }
    }

    /// Parses the arguments (without the program name). `environment` supplies
    /// PORTAL_ADMIN_PASSWORD. Returns nil for `--help`.
    public static func parse(_ arguments: [String], environment: [String: String] = [:]) throws(UsageError) -> LoadOptions? {
        var o = LoadOptions()
        var given = Set<String>()
        var rest = arguments[...]

        func next(_ flag: String, _ inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            guard let v = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            return v
        }
        func int(_ flag: String, _ text: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int {
            guard let v = Int(text), range.contains(v) else {
                throw UsageError("\(flag) must be a whole number \(range.lowerBound)-\(range.upperBound), not '\(text)'")
            }
            return v
        }
        func number(_ flag: String, _ text: String) throws(UsageError) -> Double {
            guard let v = Double(text), v.isFinite, v >= 0 else {
                throw UsageError("\(flag) must be a non-negative number, not '\(text)'")
            }
            return v
        }

        while let raw = rest.popFirst() {
            var flag = raw
            var inline: String?
            if raw.hasPrefix("--"), let eq = raw.firstIndex(of: "=") {
                flag = String(raw[..<eq])
                inline = String(raw[raw.index(after: eq)...])
            }
            let boolean: Set<String> = ["--allow-remote", "--json", "--quiet", "--smoke", "-h", "--help"]
            if boolean.contains(flag) && inline != nil { throw UsageError("\(flag) takes no value") }
            given.insert(flag)
            switch flag {
            case "-h", "--help": return nil
            case "--target":
                o.target = try next(flag, inline)
            case "--allow-remote": o.allowRemote = true
            case "--mix": o.mix = try Mix(parsing: try next(flag, inline))
            case "--connections": o.connections = try int(flag, try next(flag, inline), 1...1000)
            case "--inflight": o.inflight = try int(flag, try next(flag, inline), 1...1000)
            case "--rate":
                let r = try number(flag, try next(flag, inline))
                guard r > 0 else { throw UsageError("--rate must be > 0 requests per second") }
                o.rate = r
            case "--duration":
                let d = try number(flag, try next(flag, inline))
                guard d > 0 else { throw UsageError("--duration must be > 0 seconds") }
                o.duration = d
            case "--requests": o.requests = try int(flag, try next(flag, inline), 1...Int(Int32.max))
            case "--warmup": o.warmup = try number(flag, try next(flag, inline))
            case "--watchers": o.watchers = try int(flag, try next(flag, inline), 0...100_000)
            case "--watch":
                let v = try next(flag, inline)
                guard let k = WatchKind(rawValue: v) else { throw UsageError("--watch must be updates, queue or both") }
                o.watchKind = k
            case "--citizens": o.citizens = try int(flag, try next(flag, inline), 1...100_000)
            case "--complaints-per-citizen": o.complaintsPerCitizen = try int(flag, try next(flag, inline), 1...100)
            case "--district":
                let d = try next(flag, inline).uppercased()
                guard (2...8).contains(d.count), d.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                    throw UsageError("--district must be a district code such as PSH")
                }
                o.district = d
            case "--data": o.dataDirectory = try next(flag, inline)
            case "--admin-user": o.adminUser = try next(flag, inline)
            case "--admin-password": o.adminPassword = try next(flag, inline)
            case "--seed-concurrency": o.seedConcurrency = try int(flag, try next(flag, inline), 1...256)
            case "--timeout":
                let t = try number(flag, try next(flag, inline))
                guard t > 0 else { throw UsageError("--timeout must be > 0 seconds") }
                o.timeout = t
            case "--late-ms": o.lateMillis = try number(flag, try next(flag, inline))
            case "--max-lag":
                let v = try number(flag, try next(flag, inline))
                guard v > 0 else { throw UsageError("--max-lag must be > 0 seconds") }
                o.maxLag = v
            case "--page-size": o.pageSize = try int(flag, try next(flag, inline), 1...500)
            case "--json": o.json = true
            case "--quiet": o.quiet = true
            case "--smoke": o.smoke = true
            case "--server-pid": o.serverPID = Int32(try int(flag, try next(flag, inline), 1...Int(Int32.max)))
            case "--seed":
                let v = try next(flag, inline)
                guard let s = UInt64(v) else { throw UsageError("--seed must be an unsigned integer") }
                o.seed = s
            default:
                throw UsageError("unknown argument '\(raw)'")
            }
        }

        if o.adminPassword == nil, let env = environment["PORTAL_ADMIN_PASSWORD"], !env.isEmpty {
            o.adminPassword = env
        }
        if o.smoke { smokePreset(&o, given: given) }
        if given.contains("--requests") && !given.contains("--duration") && !(o.smoke) { o.duration = nil }

        // Consistency.
        if !o.isOpenLoop && (given.contains("--max-lag") || given.contains("--late-ms")) {
            throw UsageError("--max-lag and --late-ms apply to the open loop only (give --rate)")
        }
        if o.needsCitizens && o.dataDirectory == nil {
            let why = o.mix.operations.filter(\.needsCitizens).map(\.description)
            throw UsageError("""
                seeding citizens needs --data DIR, the server's data folder: \
                \((why.isEmpty ? ["--watch updates"] : why).joined(separator: "/")) run as citizens, and a citizen \
                must verify his mobile with the SMS code that a development server writes to DIR/sms-outbox.log \
                (use --mix without file/get/list, and --watch queue, to run without citizens)
                """)
        }
        if o.needsOfficer && o.adminPassword == nil {
            throw UsageError("""
                the Deputy Commissioner for dashboard calls and queue watchers is created through the admin account: \
                give --admin-password or set PORTAL_ADMIN_PASSWORD (or leave dashboard out of --mix and use --watch updates)
                """)
        }
        return o
    }

    public static let usage = """
    usage: portal-load [--target HOST:PORT] [--mix SPEC] [--connections N] [--inflight M]
                       [--rate R] [--duration S | --requests N] [--watchers N] [--data DIR] ...
           portal-load --smoke --data DIR [--target HOST:PORT]

    Drives a CitizenPortal server with its binary RPC protocol and reports throughput, errors
    by status code and latency percentiles. Stops by itself.

    target and load
      --target HOST:PORT     server address (default 127.0.0.1:50051); the host is resolved and
                             must be loopback (127.0.0.0/8, ::1) unless --allow-remote
      --allow-remote         allow a non-loopback target (it creates accounts and complaints!)
      --mix SPEC             relative weights, default \(Mix.defaultSpec)
                               file      CitizenService.FileComplaint, fresh idempotency key
                               get       CitizenService.GetComplaint of the citizen's own complaint
                               list      CitizenService.ListMyComplaints (first page)
                               dashboard OfficerService.GetDashboard as the seeded DC
                               health    grpc.health.v1.Health/Check
      --connections N        client connections, each its own RPCClient and thread (default 4)
      --inflight M           calls in flight per connection (default 8)
      --rate R               open loop: R requests/s in total, each scheduled at its intended send
                             time and timed FROM that time (queueing counts; no coordinated
                             omission). At most connections × inflight are in flight; requests that
                             must wait for a slot are sent late and counted as late. Without --rate:
                             closed loop, each slot sends its next call when the last one returns.
      --duration S           measured run length in seconds (default 10)
      --requests N           stop after N requests (with --duration: whichever comes first)
      --warmup S             run S seconds before measuring (not counted; default 0)
      --late-ms MS           open loop: "late" means sent more than MS after the intended time
                             (default 1)
      --max-lag S            open loop: drop (do not send) a request that is already S seconds
                             behind its intended time; counted as dropped (default: never drop,
                             send it late)
      --timeout S            per-call deadline (default 10); an expired call is DEADLINE_EXCEEDED
      --page-size N          page size of list calls (default 20)

    streams
      --watchers N           open N watch streams before the load and hold them for the run,
                             on their own connections (≤ 512 streams each); messages received are
                             counted and checked against what the run filed
      --watch KIND           updates (CitizenService.WatchUpdates as the seeded citizens, round
                             robin), queue (OfficerService.WatchQueue as the DC) or both
                             (alternating; default)

    seeding (through the normal API, before the load)
      --citizens K           register K citizens with CNIC and mobile numbers unique to this run,
                             verify each with the code the server sent, sign each in (default 16)
      --complaints-per-citizen C
                             complaints each citizen files while seeding, the targets of "get"
                             (default 2)
      --district CODE        the citizens' district and the DC's (default PSH)
      --data DIR             REQUIRED to seed citizens (mix with file/get/list, or updates
                             watchers): the server's data folder. A development server writes every
                             SMS to DIR/sms-outbox.log, and verification codes are read from there
                             (nothing else is: no database access). So citizens can be seeded only
                             against a server whose data folder this machine can read.
      --admin-user NAME      (default admin)
      --admin-password P     the admin's password, or env PORTAL_ADMIN_PASSWORD; needed for the
                             DC (dashboard, queue watchers): the admin signs in and creates one
                             Deputy Commissioner with AdminService.CreateStaff, who signs in with
                             the one-time password
      --seed-concurrency N   seeding calls in flight (default 4; sign-up and sign-in hash
                             passwords on the server's 2-thread yescrypt pool)

    output
      --json                 final report as JSON on stdout (progress goes to stderr)
      --quiet                no per-second progress
      --server-pid PID       also sample that local process's CPU, RSS, threads and fds each second
      --seed N               random seed of the mix (default: random)
      --smoke                a quick check: 3 s open loop at 40 req/s on 2 connections, 4 citizens,
                             2 watchers (explicit flags win); exits 1 unless every call succeeded,
                             every operation of the mix succeeded at least once, and every watcher
                             got what it was due
      -h, --help

    Exit status: 0 done, 1 setup failed or (--smoke) the check failed, 2 bad arguments.
    """
}

extension LoadOptions {
    /// The process environment as a dictionary.
    public static var processEnvironment: [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return env
    }
}
