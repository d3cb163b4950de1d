import PortalRPC
import PortalServices
import PortalStore

/// The settings table: each setting's name (the flag without `--`, and the config file key),
/// the values it takes, and where it goes. Flags and the config file both go through it, so
/// they cannot disagree on names, ranges or meaning.
struct Setting: Sendable {
    enum Kind: Sendable {
        case integer(ClosedRange<Int>)
        /// A (possibly fractional) number of seconds.
        case seconds(ClosedRange<Double>)
        /// A non-empty string.
        case text
        case choice([String])
        /// A flag without a value (`--dev`); `true` or `false` in the config file.
        case toggle
    }

    enum Value {
        case integer(Int)
        case seconds(Double)
        case text(String)
        case toggle(Bool)
    }

    let name: String
    let kind: Kind
    let apply: @Sendable (inout ServerOptions, Value) -> Void

    /// What a valid value looks like, for error messages.
    var requirement: String {
        switch kind {
        case .integer(let r): "must be an integer from \(r.lowerBound) to \(r.upperBound)"
        case .seconds(let r): "must be a number of seconds from \(ServerOptions.number(r.lowerBound)) to \(ServerOptions.number(r.upperBound))"
        case .text: "must be a non-empty string"
        case .choice(let names): "must be " + names.map { "\"\($0)\"" }.joined(separator: " or ")
        case .toggle: "must be true or false"
        }
    }
}

extension ServerOptions {
    static let settings: [Setting] = [
        Setting(name: "host", kind: .text) { o, v in if case .text(let s) = v { o.server.host = s } },
        Setting(name: "port", kind: .integer(0...65535)) { o, v in if case .integer(let n) = v { o.server.port = n } },
        Setting(name: "data", kind: .text) { o, v in if case .text(let s) = v { o.portal.dataDirectory = s } },
        Setting(name: "sync", kind: .choice(["normal", "full"])) { o, v in
            if case .text(let s) = v { o.portal.store.synchronous = s == "full" ? .full : .normal }
        },
        Setting(name: "seed", kind: .text) { o, v in if case .text(let s) = v { o.portal.seedFile = s } },
        Setting(name: "dev", kind: .toggle) { o, v in if case .toggle(let b) = v { o.portal.devMode = b } },
        Setting(name: "event-loops", kind: .integer(1...1024)) { o, v in if case .integer(let n) = v { o.server.eventLoops = n } },
        Setting(name: "grace", kind: .integer(0...3600)) { o, v in if case .integer(let n) = v { o.grace = .seconds(n) } },
        Setting(name: "metrics-port", kind: .integer(0...65535)) { o, v in if case .integer(let n) = v { o.metricsPort = n } },
        Setting(name: "http-port", kind: .integer(-1...65535)) { o, v in if case .integer(let n) = v { o.httpPort = n } },
        Setting(name: "web-root", kind: .text) { o, v in if case .text(let s) = v { o.webRoot = s } },

        // Limits (docs/RELIABILITY.md, docs/PROTOCOL.md).
        Setting(name: "max-in-flight", kind: .integer(1...1_000_000)) { o, v in if case .integer(let n) = v { o.server.maxInFlightCalls = n } },
        Setting(name: "max-queued-writes", kind: .integer(1...10_000_000)) { o, v in if case .integer(let n) = v { o.portal.store.maxQueuedWrites = n } },
        Setting(name: "partial-frame-timeout", kind: .seconds(0...86_400)) { o, v in
            if case .seconds(let s) = v { o.server.partialFrameTimeout = timeout(s) }
        },
        Setting(name: "write-stall-timeout", kind: .seconds(0...86_400)) { o, v in
            if case .seconds(let s) = v { o.server.writeStallTimeout = timeout(s) }
        },
        Setting(name: "max-outbound-buffer", kind: .integer(65_536...(1 << 40))) { o, v in if case .integer(let n) = v { o.server.maxOutboundBuffer = n } },
        Setting(name: "max-frame-size", kind: .integer(Int(ProtocolConstants.minMaxFrameSize)...(64 << 20))) { o, v in
            if case .integer(let n) = v { o.server.maxFrameSize = n }
        },
        Setting(name: "max-streams", kind: .integer(1...65_536)) { o, v in if case .integer(let n) = v { o.server.maxConcurrentStreams = n } },
        Setting(name: "max-connections", kind: .integer(1...1_000_000)) { o, v in if case .integer(let n) = v { o.server.maxConnections = n } },

        // The HTTP gateway's limits (docs/HTTP.md); its timeouts cannot be turned off.
        Setting(name: "http-head-timeout", kind: .seconds(0.1...86_400)) { o, v in
            if case .seconds(let s) = v { o.http.headTimeout = duration(s) }
        },
        Setting(name: "http-body-timeout", kind: .seconds(0.1...86_400)) { o, v in
            if case .seconds(let s) = v { o.http.bodyTimeout = duration(s) }
        },
        Setting(name: "http-idle-timeout", kind: .seconds(0.1...86_400)) { o, v in
            if case .seconds(let s) = v { o.http.idleTimeout = duration(s) }
        },
        Setting(name: "http-write-stall-timeout", kind: .seconds(0.1...86_400)) { o, v in
            if case .seconds(let s) = v { o.http.writeStallTimeout = duration(s) }
        },
        Setting(name: "http-max-connections", kind: .integer(1...1_000_000)) { o, v in
            if case .integer(let n) = v { o.http.maxConnections = n }
        },

        // Escalation (replaces the stored policy at start-up; see EscalationPolicy.Override).
        Setting(name: "division-after-days", kind: .integer(1...365)) { o, v in
            if case .integer(let n) = v { o.portal.escalationOverride.divisionAfterDays = n }
        },
        Setting(name: "province-after-days", kind: .integer(2...730)) { o, v in
            if case .integer(let n) = v { o.portal.escalationOverride.provinceAfterDays = n }
        },
        Setting(name: "max-reopens", kind: .integer(0...10)) { o, v in
            if case .integer(let n) = v { o.portal.escalationOverride.maxReopens = n }
        },
        Setting(name: "escalation-scan-interval", kind: .seconds(0.1...86_400)) { o, v in
            if case .seconds(let s) = v { o.portal.escalationScanIntervalMillis = Int64((s * 1000).rounded()) }
        },

        // Logging.
        Setting(name: "log-level", kind: .choice(LogLevel.allCases.map(\.description))) { o, v in
            if case .text(let s) = v, let level = LogLevel(name: s) { o.logLevel = level }
        },
        Setting(name: "log-format", kind: .choice(LogFormat.allCases.map(\.rawValue))) { o, v in
            if case .text(let s) = v, let format = LogFormat(rawValue: s) { o.logFormat = format }
        },
    ]

    static func setting(named name: String) -> Setting? { settings.first { $0.name == name } }

    /// 0 turns a timeout off.
    private static func timeout(_ seconds: Double) -> Duration? {
        seconds == 0 ? nil : duration(seconds)
    }

    private static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// 30 and 0.5, not 30.0.
    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}
