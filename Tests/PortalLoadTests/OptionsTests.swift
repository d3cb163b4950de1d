import Testing
@testable import PortalLoadCore

@Suite struct OptionsTests {
    @Test func defaults() throws {
        let o = try #require(try LoadOptions.parse(["--data", "/tmp/x", "--admin-password", "pw"]))
        #expect(o.target == "127.0.0.1:50051")
        #expect(o.mix == Mix.default)
        #expect(!o.isOpenLoop)
        #expect(o.duration == 10)
        #expect(o.connections == 4 && o.inflight == 8)
    }

    @Test func flagsWithSpaceOrEquals() throws {
        let o = try #require(try LoadOptions.parse([
            "--target=[::1]:9000", "--mix", "health=1", "--connections=2", "--inflight", "3", "--rate", "250.5",
            "--requests", "1000", "--max-lag", "0.5", "--late-ms=2", "--json",
        ]))
        #expect(o.target == "[::1]:9000")
        #expect(o.mix.operations == [.health])
        #expect(o.connections == 2 && o.inflight == 3)
        #expect(o.rate == 250.5)
        #expect(o.requests == 1000)
        #expect(o.duration == nil)          // --requests alone: until done
        #expect(o.maxLag == 0.5 && o.lateMillis == 2)
        #expect(o.json)
        #expect(!o.needsCitizens && !o.needsOfficer)
    }

    @Test func helpReturnsNil() throws {
        #expect(try LoadOptions.parse(["--help"]) == nil)
        #expect(try LoadOptions.parse(["-h"]) == nil)
    }

    @Test func mistakesAreUsageErrors() {
        for args in [["--connections", "0"], ["--inflight"], ["--rate", "-1"], ["--rate", "0"], ["--bogus"],
                     ["--mix", "health=1", "--json=yes"], ["--mix", "nope=3"], ["--mix", "health"],
                     ["--mix", "health=0"], ["--mix", "health=1,health=2"], ["--watch", "x"],
                     ["--mix", "health=1", "--max-lag", "1"]] {
            #expect(throws: UsageError.self, "\(args)") { try LoadOptions.parse(args) }
        }
    }

    @Test func seedingNeedsDataAndTheDCNeedsTheAdminPassword() throws {
        #expect(throws: UsageError.self) { try LoadOptions.parse(["--mix", "get=1"]) }
        #expect(throws: UsageError.self) { try LoadOptions.parse(["--mix", "dashboard=1"]) }
        #expect(throws: UsageError.self) { try LoadOptions.parse(["--mix", "health=1", "--watchers", "2"]) }
        // Queue watchers need only the DC.
        let q = try #require(try LoadOptions.parse(["--mix", "health=1", "--watchers", "2", "--watch", "queue"],
                                                   environment: ["PORTAL_ADMIN_PASSWORD": "pw"]))
        #expect(q.adminPassword == "pw" && !q.needsCitizens && q.needsOfficer)
        // The flag wins over the environment.
        let f = try #require(try LoadOptions.parse(["--mix", "dashboard=1", "--admin-password", "flag"],
                                                   environment: ["PORTAL_ADMIN_PASSWORD": "env"]))
        #expect(f.adminPassword == "flag")
    }

    @Test func smokePreset() throws {
        let s = try #require(try LoadOptions.parse(["--smoke", "--data", "/d"]))
        #expect(s.rate == 40 && s.duration == 3 && s.connections == 2 && s.watchers == 2)
        // No admin password: no dashboard, update watchers only.
        #expect(s.mix.weight(.dashboard) == 0 && s.watchKind == .updates)
        let withAdmin = try #require(try LoadOptions.parse(["--smoke", "--data", "/d", "--duration", "5"],
                                                           environment: ["PORTAL_ADMIN_PASSWORD": "pw"]))
        #expect(withAdmin.mix == Mix.default && withAdmin.duration == 5 && withAdmin.watchKind == .both)
    }

    @Test func mixPicksInProportion() throws {
        let mix = try Mix(parsing: "file=20, get=40 ,list=20,dashboard=5,health=15")
        #expect(mix.total == 100)
        var rng = SplitMix64(seed: 1)
        var counts = [Int](repeating: 0, count: Operation.allCases.count)
        for _ in 0..<100_000 { counts[mix.pick(using: &rng).rawValue] += 1 }
        for op in Operation.allCases {
            let share = Double(counts[op.rawValue]) / 100_000
            #expect(abs(share - mix.share(op)) < 0.01, "\(op): \(share)")
        }
        let only = try Mix(parsing: "get=1")
        for _ in 0..<100 { #expect(only.pick(using: &rng) == .get) }
        #expect(only.description == "get=1")
    }
}

@Suite struct TargetTests {
    @Test func loopbackAddresses() {
        for a in ["127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "::ffff:127.0.0.1"] {
            #expect(TargetResolution.isLoopback(a), "\(a)")
        }
        for a in ["10.0.0.1", "128.0.0.1", "0.0.0.0", "::", "::2", "fe80::1", "::ffff:10.0.0.1", "not-an-address", "1.127.0.0"] {
            #expect(!TargetResolution.isLoopback(a), "\(a)")
        }
    }

    @Test func splitting() throws {
        let a = try TargetResolution.split("127.0.0.1:50051")
        #expect(a.host == "127.0.0.1" && a.port == 50051)
        let b = try TargetResolution.split("[::1]:8080")
        #expect(b.host == "::1" && b.port == 8080)
        let c = try TargetResolution.split("localhost:1")
        #expect(c.host == "localhost" && c.port == 1)
        for bad in ["127.0.0.1", "::1:80", "[::1]80", ":80", "host:0", "host:70000", "host:x"] {
            #expect(throws: UsageError.self, "\(bad)") { try TargetResolution.split(bad) }
        }
    }

    @Test func resolvesAndRefusesRemote() throws {
        let local = try TargetResolution.check("127.0.0.1:1234", allowRemote: false)
        #expect(local.host == "127.0.0.1" && local.port == 1234 && local.allLoopback)
        let six = try TargetResolution.check("[::1]:1234", allowRemote: false)
        #expect(six.host == "::1")
        let name = try TargetResolution.check("localhost:1234", allowRemote: false)
        #expect(name.allLoopback)
        // A numeric remote address needs no DNS to be refused.
        #expect(throws: UsageError.self) { try TargetResolution.check("192.0.2.1:50051", allowRemote: false) }
        #expect(throws: UsageError.self) { try TargetResolution.check("0.0.0.0:50051", allowRemote: false) }
        let allowed = try TargetResolution.check("192.0.2.1:50051", allowRemote: true)
        #expect(!allowed.allLoopback)
    }
}

@Suite struct OutboxTests {
    @Test func latestCodePerMobile() {
        let text = """
            1700000000000\t+923001234567\tCitizen Portal verification code: 123456. It expires in 10 minutes. Do not share it.
            1700000000001\t+923007654321\tCitizen Portal verification code: 000042. It expires in 10 minutes. Do not share it.
            garbage line
            1700000000002\t+923001234567\tCitizen Portal verification code: 654321. It expires in 10 minutes. Do not share it.
            1700000000003\t+923009999999\tCitizen Portal verifica
            """
        let codes = SMSOutbox.parse(Array(text.utf8))
        #expect(codes["+923001234567"] == "654321")
        #expect(codes["+923007654321"] == "000042")
        #expect(codes["+923009999999"] == nil)
        #expect(SMSOutbox.code(in: "your code is 12345. no") == nil)
        #expect(SMSOutbox.code(in: "code 987654") == "987654")
    }
}

@Suite struct FormatTests {
    @Test func numbers() {
        #expect(Fmt.fixed(1.005, 2) == "1.00" || Fmt.fixed(1.005, 2) == "1.01")
        #expect(Fmt.fixed(12.345, 1) == "12.3")
        #expect(Fmt.fixed(-0.04, 1) == "0.0")
        #expect(Fmt.fixed(-2.5, 0) == "-3" || Fmt.fixed(-2.5, 0) == "-2")
        #expect(Fmt.fixed(3, 3) == "3.000")
        #expect(Fmt.grouped(UInt64(1_234_567)) == "1,234,567")
        #expect(Fmt.grouped(UInt64(999)) == "999")
        #expect(Fmt.micros(873) == "873us")
        #expect(Fmt.micros(1_234) == "1.23ms")
        #expect(Fmt.micros(12_345) == "12.3ms")
        #expect(Fmt.micros(1_234_567) == "1.23s")
    }

    @Test func json() {
        let j = JSON.object([("a", .int(1)), ("b", .string("x\"y\n")), ("c", .array([.double(1.5), .null, .bool(true)])), ("d", .object([]))])
        #expect(j.render() == "{\n  \"a\": 1,\n  \"b\": \"x\\\"y\\n\",\n  \"c\": [\n    1.500,\n    null,\n    true\n  ],\n  \"d\": {}\n}")
    }
}
