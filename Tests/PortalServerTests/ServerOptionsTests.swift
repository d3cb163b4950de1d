import PortalRPC
import PortalServices
import Testing
@testable import portal_server

/// portal-server's settings: defaults, flags, the config file, the precedence between them,
/// and the errors (naming the flag or key) that make it exit with status 2.
@Suite struct ServerOptionsTests {
    /// Parses `arguments`, with `--config` reading `file` (whatever path is given).
    static func parse(_ arguments: [String], file: String? = nil) throws(UsageError) -> ServerOptions {
        let invocation = try ServerOptions.parse(arguments) { path throws(UsageError) in
            guard let file else { throw UsageError("cannot read config \(path): No such file or directory") }
            return Array(file.utf8)
        }
        guard case .run(let options) = invocation else { throw UsageError("unexpected --help") }
        return options
    }

    static func error(_ arguments: [String], file: String? = nil) -> String? {
        do {
            _ = try parse(arguments, file: file)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func defaults() throws {
        let o = try Self.parse([])
        #expect(o.server.host == "127.0.0.1")
        #expect(o.server.port == 50051)
        #expect(o.server.eventLoops >= 1)
        #expect(o.server.maxFrameSize == 4 * 1024 * 1024)
        #expect(o.server.maxConcurrentStreams == 1024)
        #expect(o.server.maxConnections == 10_000)
        #expect(o.portal.dataDirectory == "data")
        #expect(o.portal.store.synchronous == .normal)
        #expect(!o.portal.devMode)
        #expect(o.portal.escalationOverride.isEmpty)
        #expect(o.portal.escalationScanIntervalMillis == 60_000)
        #expect(o.grace == .seconds(10))
        #expect(o.metricsPort == 0)
        #expect(o.logLevel == .info)
        #expect(o.logFormat == .text)
        #expect(o.configFile == nil)
    }

    @Test func theHTTPGatewayDefaultsTo8080OrAFreePortBesideAFreeRPCPort() throws {
        #expect(try Self.parse([]).resolvedHTTPPort == 8080)
        #expect(try Self.parse(["--port", "0"]).resolvedHTTPPort == 0)  // tests start servers side by side
        #expect(try Self.parse(["--port", "0", "--http-port", "9000"]).resolvedHTTPPort == 9000)
        #expect(try Self.parse(["--http-port", "0"]).resolvedHTTPPort == 0)
        #expect(try Self.parse(["--http-port", "-1"]).resolvedHTTPPort == nil)
        #expect(try Self.parse(["--web-root", "/srv/web"]).webRoot == "/srv/web")
        #expect(Self.error(["--http-port", "-2"]) != nil)
        #expect(try Self.parse([], file: #"{"http-port": -1}"#).resolvedHTTPPort == 8080)  // no --config given
        #expect(try Self.parse(["--config", "c"], file: #"{"http-port": -1}"#).resolvedHTTPPort == nil)
    }

    @Test func flagsSetEverySetting() throws {
        let o = try Self.parse([
            "--host", "0.0.0.0", "--port", "0", "--data", "/srv/portal", "--sync", "full", "--seed", "pk.json", "--dev",
            "--event-loops", "3", "--grace", "5", "--metrics-port", "9464",
            "--max-in-flight", "100", "--max-queued-writes", "200", "--partial-frame-timeout", "2.5",
            "--write-stall-timeout", "0", "--max-outbound-buffer", "131072", "--max-frame-size=65536",
            "--max-streams", "64", "--max-connections", "500",
            "--http-head-timeout", "1.5", "--http-body-timeout", "4", "--http-idle-timeout", "0.25",
            "--http-write-stall-timeout", "7", "--http-max-connections", "33",
            "--division-after-days", "10", "--province-after-days", "20", "--max-reopens", "0",
            "--escalation-scan-interval", "0.5", "--log-level", "debug", "--log-format", "json",
        ])
        #expect(o.server.host == "0.0.0.0")
        #expect(o.server.port == 0)
        #expect(o.portal.dataDirectory == "/srv/portal")
        #expect(o.portal.store.synchronous == .full)
        #expect(o.portal.seedFile == "pk.json")
        #expect(o.portal.devMode)
        #expect(o.server.eventLoops == 3)
        #expect(o.grace == .seconds(5))
        #expect(o.metricsPort == 9464)
        #expect(o.server.maxInFlightCalls == 100)
        #expect(o.portal.store.maxQueuedWrites == 200)
        #expect(o.server.partialFrameTimeout == .milliseconds(2500))
        #expect(o.server.writeStallTimeout == nil)
        #expect(o.server.maxOutboundBuffer == 131_072)
        #expect(o.server.maxFrameSize == 65_536)
        #expect(o.server.maxConcurrentStreams == 64)
        #expect(o.server.maxConnections == 500)
        #expect(o.http.headTimeout == .milliseconds(1500))
        #expect(o.http.bodyTimeout == .seconds(4))
        #expect(o.http.idleTimeout == .milliseconds(250))
        #expect(o.http.writeStallTimeout == .seconds(7))
        #expect(o.http.maxConnections == 33)
        #expect(o.portal.escalationOverride == EscalationPolicy.Override(divisionAfterDays: 10, provinceAfterDays: 20, maxReopens: 0))
        #expect(o.portal.escalationScanIntervalMillis == 500)
        #expect(o.logLevel == .debug)
        #expect(o.logFormat == .json)
    }

    @Test func configFileSetsSettingsAndFlagsWin() throws {
        let file = """
        {
          "port": 6000, "data": "/var/lib/portal", "sync": "full", "dev": true,
          "max-streams": 32, "division-after-days": 12, "log-format": "json", "log-level": "warn",
          "partial-frame-timeout": 7
        }
        """
        let fromFile = try Self.parse(["--config", "/etc/portal.json"], file: file)
        #expect(fromFile.configFile == "/etc/portal.json")
        #expect(fromFile.server.port == 6000)
        #expect(fromFile.portal.dataDirectory == "/var/lib/portal")
        #expect(fromFile.portal.store.synchronous == .full)
        #expect(fromFile.portal.devMode)
        #expect(fromFile.server.maxConcurrentStreams == 32)
        #expect(fromFile.portal.escalationOverride.divisionAfterDays == 12)
        #expect(fromFile.portal.escalationOverride.provinceAfterDays == nil)
        #expect(fromFile.logFormat == .json)
        #expect(fromFile.logLevel == .warn)
        #expect(fromFile.server.partialFrameTimeout == .seconds(7))
        #expect(fromFile.server.host == "127.0.0.1")  // not in the file: the default

        // Flags beat the file wherever they appear on the command line, --config before or after.
        for arguments in [["--port", "7000", "--config", "x.json", "--log-format", "text"],
                          ["--config=x.json", "--port=7000", "--log-format=text"]] {
            let o = try Self.parse(arguments, file: file)
            #expect(o.server.port == 7000)
            #expect(o.logFormat == .text)
            #expect(o.portal.dataDirectory == "/var/lib/portal")  // the file still beats the default
        }
    }

    @Test func configFileBooleansAndTheExampleFile() throws {
        #expect(try !Self.parse(["--config", "c"], file: #"{"dev": false}"#).portal.devMode)
        #expect(try Self.parse(["--config", "c"], file: "{}").server.port == 50051)

        // docs/portal-server.example.json parses, and names every setting but the three that
        // have no place in a production file.
        let path = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        let example = try ServerOptions.readFile("/" + path + "/docs/portal-server.example.json")
        var o = ServerOptions()
        try o.applyConfig(example, path: "example")
        #expect(o.portal.store.synchronous == .full)
        #expect(o.metricsPort == 9464)
        guard case .object(let members) = try JSONReader.parse(example) else {
            Issue.record("the example is not an object")
            return
        }
        let keys = Set(members.map(\.key))
        #expect(keys == Set(ServerOptions.settings.map(\.name)).subtracting(["seed", "dev", "web-root"]))

        // docs/OPERATIONS.md shows that file as it is and has a table row for every setting.
        let operations = String(decoding: try ServerOptions.readFile("/" + path + "/docs/OPERATIONS.md"), as: UTF8.self)
        #expect(operations.contains(String(decoding: example, as: UTF8.self)), "OPERATIONS.md's example differs from the file")
        for setting in ServerOptions.settings {
            #expect(operations.contains("| `\(setting.name)") || operations.contains(", `\(setting.name)"),
                    "OPERATIONS.md's settings table has no row for \(setting.name)")
        }
    }

    @Test func unknownFlagsAndKeysAreNamed() {
        #expect(Self.error(["--prot", "1"]) == "unknown flag --prot")
        #expect(Self.error(["serve"]) == "unexpected argument serve")
        #expect(Self.error(["--config", "c"], file: #"{"port": 1, "prot": 2}"#) == #"config c: unknown key "prot""#)
        #expect(Self.error(["--config", "c"], file: #"{"--port": 1}"#) == #"config c: unknown key "--port""#)
        #expect(Self.error(["--config", "c"], file: #"{"config": "other.json"}"#)
                == #"config c: unknown key "config" (a config file cannot name another)"#)
    }

    @Test func badValuesAreNamed() {
        #expect(Self.error(["--port", "65536"]) == #"--port must be an integer from 0 to 65535 (got "65536")"#)
        #expect(Self.error(["--port"]) == "--port needs a value")
        #expect(Self.error(["--sync", "sometimes"]) == #"--sync must be "normal" or "full" (got "sometimes")"#)
        #expect(Self.error(["--log-level", "trace"]) == #"--log-level must be "error" or "warn" or "info" or "debug" (got "trace")"#)
        #expect(Self.error(["--max-frame-size", "1024"])?.hasPrefix("--max-frame-size must be an integer from 16384 to") == true)
        #expect(Self.error(["--write-stall-timeout", "-1"]) == #"--write-stall-timeout must be a number of seconds from 0 to 86400 (got "-1")"#)
        #expect(Self.error(["--http-head-timeout", "0"]) == #"--http-head-timeout must be a number of seconds from 0.1 to 86400 (got "0")"#)
        #expect(Self.error(["--dev=yes"]) == "--dev takes no value")
        #expect(Self.error(["--data", ""]) == #"--data must be a non-empty string (got "")"#)
        #expect(Self.error(["--config", "a", "--config", "b"]) == "--config given twice")

        let c = ["--config", "c"]
        #expect(Self.error(c, file: #"{"port": "50051"}"#) == #"config c: "port" must be an integer from 0 to 65535 (got "50051")"#)
        #expect(Self.error(c, file: #"{"port": 1.5}"#) == #"config c: "port" must be an integer from 0 to 65535 (got 1.5)"#)
        #expect(Self.error(c, file: #"{"port": 1e3}"#) == #"config c: "port" must be an integer from 0 to 65535 (got 1e3)"#)
        #expect(Self.error(c, file: #"{"dev": "true"}"#) == #"config c: "dev" must be true or false (got "true")"#)
        #expect(Self.error(c, file: #"{"sync": null}"#) == #"config c: "sync" must be "normal" or "full" (got null)"#)
        #expect(Self.error(c, file: #"{"max-reopens": 11}"#) == #"config c: "max-reopens" must be an integer from 0 to 10 (got 11)"#)
        #expect(Self.error(c, file: #"{"host": ["a"]}"#) == #"config c: "host" must be a non-empty string (got an array)"#)
        #expect(Self.error(c, file: #"{"port": 1, "port": 2}"#) == #"config c: "port" appears twice"#)
        #expect(Self.error(c, file: "[1, 2]") == "config c: must be a JSON object of settings, not an array")
        #expect(Self.error(c, file: "{\n  \"port\": 1,\n}") == "config c: line 3, column 1: expected a key in double quotes")
        #expect(Self.error(c) == "cannot read config c: No such file or directory")
        // A bad flag is found before the file is read.
        #expect(Self.error(["--config", "c", "--nope"]) == "unknown flag --nope")
    }

    @Test func escalationThresholdsMustBeOrdered() {
        #expect(Self.error(["--division-after-days", "20", "--province-after-days", "20"])
                == "province-after-days (20) must be greater than division-after-days (20)")
        // The file sets one, the flag the other: checked after merging.
        #expect(Self.error(["--config", "c", "--province-after-days", "9"], file: #"{"division-after-days": 10}"#)
                == "province-after-days (9) must be greater than division-after-days (10)")
        // One alone is checked against the stored policy at start-up, not here.
        #expect(Self.error(["--province-after-days", "9"]) == nil)
    }

    @Test func helpListsEverySetting() throws {
        guard case .help = try ServerOptions.parse(["--port", "1", "--help", "--bogus"]) else {
            Issue.record("--help was not recognised")
            return
        }
        #expect(try { if case .help = try ServerOptions.parse(["-h"]) { true } else { false } }())
        let usage = ServerOptions.usage
        #expect(usage.contains("--config FILE"))
        for setting in ServerOptions.settings {
            #expect(usage.contains("--\(setting.name)"), "--help does not mention --\(setting.name)")
        }
    }
}
