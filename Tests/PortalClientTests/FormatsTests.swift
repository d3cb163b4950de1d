import Glibc
import PortalModel
import Testing
@testable import portal_client

/// Times, enum names, upload kinds and the profile file.
struct FormatsTests {
    @Test func civilDatesRoundTrip() {
        for days: Int64 in [-719_468, -1, 0, 59, 10_957, 20_454, 2_932_896] {
            let (y, m, d) = Time.civil(days: days)
            #expect(Time.days(year: y, month: m, day: d) == days)
        }
        #expect(Time.civil(days: 0) == (1970, 1, 1))
        #expect(Time.civil(days: 11_016) == (2000, 2, 29))
    }

    @Test func rfc3339() {
        #expect(Time.rfc3339(seconds: 1_767_225_600, nanos: 0) == "2026-01-01T00:00:00Z")
        #expect(Time.rfc3339(seconds: 1_767_225_600 + 3661, nanos: 120_000_000) == "2026-01-01T01:01:01.120Z")
        #expect(Time.rfc3339(seconds: 253_402_300_799, nanos: 999_999_999) == "9999-12-31T23:59:59.999999999Z")
    }

    @Test func datesUsersType() {
        func seconds(_ text: String) -> Int64? { Time.parse(text).map(\.seconds) }
        let midnight: Int64 = 1_777_593_600  // 2026-05-01T00:00:00Z
        #expect(seconds("2026-05-01") == midnight)
        #expect(seconds("2026-05-01T10:30Z") == midnight + 37_800)
        #expect(seconds("2026-05-01T10:30:15Z") == midnight + 37_815)
        #expect(seconds("2026-05-01T15:30+05:00") == midnight + 37_800)
        #expect(seconds("2026-05-01T05:30-05:00") == midnight + 37_800)
        #expect(seconds("@1767225600") == 1_767_225_600)
        for bad in ["2026-02-30", "2026-13-01", "2026-05-01T10:30", "2026-5-1", "yesterday", "2026-05-01T25:00Z"] {
            #expect(Time.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func enumNamesAsUsersTypeThem() {
        #expect(EnumNames.parse("info-requested", as: Portal_V1_ComplaintStatus.self, prefix: "COMPLAINT_STATUS_") == .infoRequested)
        #expect(EnumNames.parse("NEW", as: Portal_V1_ComplaintStatus.self, prefix: "COMPLAINT_STATUS_") == .new)
        #expect(EnumNames.parse("COMPLAINT_STATUS_CLOSED", as: Portal_V1_ComplaintStatus.self, prefix: "COMPLAINT_STATUS_") == .closed)
        #expect(EnumNames.parse("unspecified", as: Portal_V1_ComplaintStatus.self, prefix: "COMPLAINT_STATUS_") == nil)
        #expect(EnumNames.parse("dc", as: Portal_V1_Role.self, prefix: "ROLE_", aliases: EnumNames.roleAliases) == .deputyCommissioner)
        #expect(EnumNames.parse("Chief Secretary", as: Portal_V1_Role.self, prefix: "ROLE_", aliases: EnumNames.roleAliases) == .chiefSecretary)
        #expect(EnumNames.choices(Portal_V1_Tier.self, prefix: "TIER_") == "district, division, province")
        #expect(EnumNames.short(Portal_V1_ComplaintStatus.infoRequested, prefix: "COMPLAINT_STATUS_") == "INFO_REQUESTED")
    }

    @Test func uploadKindFromTheExtension() {
        #expect(Uploads.kind(forFileName: "street.JPG") == .photo)
        #expect(Uploads.kind(forFileName: "/tmp/voice.m4a") == .audio)
        #expect(Uploads.kind(forFileName: "clip.3gp") == .video)
        #expect(Uploads.kind(forFileName: "notes.txt") == nil)
        #expect(Uploads.kind(forFileName: "dir.jpg/file") == nil)
        let key = Uploads.randomKey()
        #expect(key.count == 32 && key.allSatisfy(\.isHexDigit))
        #expect(Uploads.randomKey() != key)
    }

    @Test func humanRenderingOfATimeline() {
        var e = Portal_V1_ComplaintEvent()
        e.actorRole = .departmentOfficer
        e.actorName = "Bilal Ahmad"
        e.change = .remark("Pipe repaired\nsupply restored")
        let line = Render.event(e)
        #expect(line[1] == "department officer Bilal Ahmad")
        #expect(line[2] == "remark: Pipe repaired ⏎ supply restored")
        var system = Portal_V1_ComplaintEvent()
        system.change = .escalatedTo(.province)
        #expect(Array(Render.event(system).dropFirst()) == ["system", "escalated to PROVINCE"])
        #expect(Render.columns([["a", "bb", "c"], ["ccc", "d", "e"]]) == "a    bb  c\nccc  d   e")
        #expect(Render.excerpt("first line is long\nsecond", 10) == "first lin…")
        #expect(Render.hours(0.04) == "0 h" && Render.hours(12.25) == "12.3 h" && Render.percent(66.666) == "66.7%")
    }

    @Test func profilesAreSavedPrivatelyAndReadBack() throws {
        let base = "/tmp/portal-client-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { _ = system("rm -rf '\(base)'") }
        let directory = try ProfileStore.directory { name in
            ["XDG_CONFIG_HOME": base + "/xdg", "HOME": "/nonexistent"][name]
        }
        #expect(directory == base + "/xdg/portal-client")
        #expect(try ProfileStore.directory { ["HOME": "/home/ayesha"][$0] } == "/home/ayesha/.config/portal-client")
        #expect(throws: LocalError.self) { try ProfileStore.directory { _ in nil } }

        let store = ProfileStore(directory: directory)
        #expect(try store.load("citizen") == Profile())
        var p = Profile()
        p.server = "127.0.0.1:50051"
        p.token = "secret-token"
        p.role = "ROLE_CITIZEN"
        p.subjectId = "12"
        p.lastSequence = 18_446_744_073_709_551_615
        p.pendingCitizenId = "12"
        try store.save(p, as: "citizen")
        #expect(try store.load("citizen") == p)

        var st = stat()
        #expect(stat(store.path("citizen"), &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(stat(directory, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o700)

        p.signOut()
        #expect(p.token == nil && p.lastSequence == nil && p.server == "127.0.0.1:50051")
        #expect(ProfileStore.validName("dc.peshawar-2"))
        #expect(!ProfileStore.validName("../etc") && !ProfileStore.validName(".hidden") && !ProfileStore.validName(""))
    }
}
