import Testing
@testable import portal_client

/// The flag parser: flags and values, global flags on both sides of the command, positional
/// arguments, help, and the errors that make exit status 2.
struct ArgumentsTests {
    static let globals: [FlagSpec] = [
        .value("server", "HOST:PORT", "server"),
        .value("profile", "NAME", "profile"),
        .toggle("json", "json"),
    ]

    static let fileComplaint = CommandSpec(
        name: "file-complaint", group: "g", summary: "file",
        flags: [
            .value("category", "CODE", "category", required: true),
            .value("description", "TEXT", "description", required: true),
            .value("lat", "DEGREES", "lat"),
            .value("lon", "DEGREES", "lon"),
            .repeated("attach", "ID", "attachment"),
            .toggle("dry", "switch"),
        ],
        example: "")
    static let assign = CommandSpec(
        name: "assign", group: "g", summary: "assign",
        arguments: [.required("CODE", "code"), .oneOrMore("OFFICER_ID", "ids")],
        flags: [.value("remark", "TEXT", "remark")],
        example: "")
    static let messages = CommandSpec(name: "messages", group: "g", summary: "messages", example: "")
    static let commands = [fileComplaint, assign, messages]

    func run(_ argv: [String]) throws -> (CommandSpec, ParsedArguments) {
        guard case .run(let spec, let args) = try CommandLineParser.parse(argv, globals: Self.globals, commands: Self.commands) else {
            Issue.record("expected a command to run for \(argv)")
            throw UsageError(message: "not a run")
        }
        return (spec, args)
    }

    func usageError(_ argv: [String]) -> UsageError? {
        do {
            _ = try CommandLineParser.parse(argv, globals: Self.globals, commands: Self.commands)
            return nil
        } catch {
            return error
        }
    }

    @Test func valuesInlineValuesRepeatsAndSwitches() throws {
        let (spec, args) = try run(["file-complaint", "--category", "water-supply", "--description=No water for five days",
                                    "--attach", "a1", "--attach=a2", "--dry"])
        #expect(spec.name == "file-complaint")
        #expect(args.value("category") == "water-supply")
        #expect(args.value("description") == "No water for five days")
        #expect(args.all("attach") == ["a1", "a2"])
        #expect(args.has("dry"))
        #expect(!args.has("json"))
        #expect(args.value("lat") == nil)
        #expect(args.all("lat") == [])
    }

    @Test func aValueFlagTakesTheNextArgumentEvenIfItLooksLikeAFlagOrANegativeNumber() throws {
        let (_, args) = try run(["file-complaint", "--category", "c", "--description", "--dry", "--lat", "-33.9", "--lon", "-70"])
        #expect(args.value("description") == "--dry")
        #expect(!args.has("dry"))
        #expect(args.value("lat") == "-33.9")
        #expect(args.value("lon") == "-70")
    }

    @Test func globalFlagsBeforeAndAfterTheCommand() throws {
        let (_, args) = try run(["--profile", "dc", "--server=10.0.0.5:50051", "messages", "--json"])
        #expect(args.value("profile") == "dc")
        #expect(args.value("server") == "10.0.0.5:50051")
        #expect(args.has("json"))
        let (_, after) = try run(["messages", "--profile", "citizen"])
        #expect(after.value("profile") == "citizen")
        // Once before and once after is still "given twice".
        #expect(usageError(["--profile", "a", "messages", "--profile", "b"])?.message == "--profile is given more than once")
    }

    @Test func positionalArgumentsBindInOrderWithAVariadicLast() throws {
        let (_, args) = try run(["assign", "PSH-2026-000001", "7", "9", "--remark", "today"])
        #expect(args.argument("CODE") == "PSH-2026-000001")
        #expect(args.arguments("OFFICER_ID") == ["7", "9"])
        #expect(args.value("remark") == "today")
        // Flags may come between positionals; `--` makes the rest positional.
        let (_, mixed) = try run(["assign", "--remark", "x", "PSH-2026-000001", "--", "--7"])
        #expect(mixed.arguments("OFFICER_ID") == ["--7"])
        #expect(usageError(["assign", "PSH-2026-000001"])?.message == "missing OFFICER_ID")
        #expect(usageError(["assign"])?.message == "missing CODE")
        #expect(usageError(["messages", "extra"])?.message == "unexpected argument 'extra'")
    }

    @Test func optionalArgumentsLeaveRoomForRequiredOnes() throws {
        let specs: [ArgumentSpec] = [.optional("FIRST", ""), .required("LAST", "")]
        #expect(try CommandLineParser.bind(["x"], to: specs) == ["LAST": ["x"]])
        #expect(try CommandLineParser.bind(["a", "b"], to: specs) == ["FIRST": ["a"], "LAST": ["b"]])
        #expect(throws: UsageError.self) { try CommandLineParser.bind(["a", "b", "c"], to: specs) }
    }

    @Test func mistakesAreUsageErrorsNamingTheCommand() {
        #expect(usageError(["file-complaint", "--description", "d"]) == UsageError(message: "missing --category CODE", command: "file-complaint"))
        #expect(usageError(["file-complaint", "--category"])?.message == "--category needs a value")
        #expect(usageError(["file-complaint", "--category", "a", "--category", "b", "--description", "d"])?.message
                == "--category is given more than once")
        #expect(usageError(["file-complaint", "--dry=yes", "--category", "a", "--description", "d"])?.message == "--dry takes no value")
        #expect(usageError(["file-complaint", "--categroy", "a"])?.message == "unknown flag --categroy; did you mean --category?")
        #expect(usageError(["messages", "-x"])?.message == "unknown flag -x")
        #expect(usageError(["--bogus", "messages"])?.message.hasPrefix("unknown flag --bogus") == true)
        #expect(usageError(["--profile"])?.message == "--profile needs a value")
        #expect(usageError(["--json"])?.message == "no command given")
    }

    @Test func unknownCommandsSuggestTheNearestName() {
        #expect(usageError(["mesages"])?.message == "unknown command 'mesages'; did you mean 'messages'?")
        #expect(usageError(["file"])?.message == "unknown command 'file'; did you mean 'file-complaint'?")
        #expect(usageError(["zzzzzzzz"])?.message == "unknown command 'zzzzzzzz'")
    }

    @Test func helpIsRecognisedAnywhereBeforeDashDash() throws {
        func isToolHelp(_ argv: [String]) throws -> Bool {
            if case .toolHelp = try CommandLineParser.parse(argv, globals: Self.globals, commands: Self.commands) { return true }
            return false
        }
        func commandHelp(_ argv: [String]) throws -> String? {
            if case .commandHelp(let spec) = try CommandLineParser.parse(argv, globals: Self.globals, commands: Self.commands) { return spec.name }
            return nil
        }
        #expect(try isToolHelp([]))
        #expect(try isToolHelp(["--help"]))
        #expect(try isToolHelp(["--profile", "x", "-h", "assign"]))
        #expect(try commandHelp(["assign", "--help"]) == "assign")
        #expect(try commandHelp(["file-complaint", "--category", "x", "-h"]) == "file-complaint")  // despite a missing flag
        #expect(try commandHelp(["assign", "C", "--", "--help"]) == nil)
    }

    @Test func helpTextShowsUsageFlagsAndExample() {
        var spec = Self.assign
        spec.example = "portal-client assign PSH-2026-000001 7"
        let text = CommandLineParser.help(tool: "portal-client", for: spec, globals: Self.globals)
        #expect(text.hasPrefix("usage: portal-client assign CODE OFFICER_ID… [--remark TEXT]\n"))
        #expect(text.contains("  --remark TEXT"))
        #expect(text.contains("Example:\n  portal-client assign PSH-2026-000001 7\n"))
        #expect(text.contains("Global flags: --server HOST:PORT, --profile NAME, --json"))
    }

    @Test func wrapBreaksBeforeTheWidth() {
        let text = CommandLineParser.wrap(["aaaa", "bbbb", "cccc", "dd"], width: 10, indent: "  ")
        #expect(text == "aaaa bbbb\n  cccc dd")
        #expect(CommandLineParser.wrap(["averyveryverylongword"], width: 5, indent: "") == "averyveryverylongword")
    }

    @Test func editDistance() {
        #expect(CommandLineParser.editDistance("track", "track") == 0)
        #expect(CommandLineParser.editDistance("trakc", "track") == 2)
        #expect(CommandLineParser.editDistance("", "abc") == 3)
        #expect(CommandLineParser.editDistance("kitten", "sitting") == 3)
    }
}

/// The real command table: names, flags, and every example in the help parses.
struct CommandTableTests {
    @Test func namesAreUniqueKebabCaseAndGrouped() {
        let names = Commands.specs.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(name.allSatisfy { $0.isLowercase || $0 == "-" }, "\(name) is not kebab-case")
        }
        for spec in Commands.specs { #expect(Commands.groups.contains(spec.group), "\(spec.name) has no listed group") }
    }

    @Test func everyCallOfTheThreeServicesHasACommand() {
        let expected = [
            // CitizenService
            "register", "verify", "resend-code", "login", "logout", "change-password", "profile", "districts", "categories", "upload",
            "file-complaint", "track", "my-complaints", "provide-info", "feedback", "messages", "mark-read", "watch", "stats",
            // OfficerService
            "officer-login", "me", "queue", "show", "assign", "remark", "ask-info", "resolve", "transfer", "systemic",
            "add-officer", "officers", "watch-queue", "dashboard", "watch-dashboard",
            // AdminService
            "upsert-district", "upsert-division", "upsert-department", "upsert-category", "create-staff", "update-staff",
            "staff", "policy", "set-policy", "block", "unblock", "audit", "verify-audit", "advance-clock", "backup",
            "health",
        ]
        #expect(Set(Commands.specs.map(\.name)) == Set(expected))
    }

    @Test func noCommandFlagShadowsAGlobalFlag() {
        let globals = Set(Commands.globals.map(\.name))
        for spec in Commands.specs {
            let names = spec.flags.map(\.name)
            #expect(Set(names).count == names.count, "\(spec.name) declares a flag twice")
            #expect(globals.isDisjoint(with: names), "\(spec.name) shadows a global flag")
        }
    }

    @Test func everyExampleParses() throws {
        for spec in Commands.specs {
            let words = ShellWords.split(spec.example)
            #expect(words.first == "portal-client", "\(spec.name)'s example does not start with portal-client")
            let invocation = try CommandLineParser.parse(Array(words.dropFirst()), globals: Commands.globals, commands: Commands.specs)
            guard case .run(let ran, _) = invocation else {
                Issue.record("\(spec.name)'s example is not a run: \(spec.example)")
                continue
            }
            #expect(ran.name == spec.name)
        }
    }
}

/// Splits a shell command line the way sh would for these examples: spaces separate words,
/// single and double quotes group them; `$VAR` stays literal.
enum ShellWords {
    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil } else { word.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                inWord = true
            } else if ch == " " {
                if inWord { words.append(word); word = ""; inWord = false }
            } else {
                word.append(ch)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
