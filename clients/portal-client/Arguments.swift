// A small subcommand and flag parser: `tool [global flags] COMMAND [arguments] [flags]`.
// Pure functions over the argument list, so the tests drive them without a process.
//
// Rules: flags are `--name VALUE`, `--name=VALUE` or bare `--name` (switches); a value flag
// takes the next argument whatever it looks like (so `--lat -33.9` works); `--` ends the flags;
// `-h`/`--help` anywhere asks for help; global flags may come before or after the command.

/// A flag a command (or the tool) accepts.
struct FlagSpec: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// `--name VALUE`, at most once.
        case value(placeholder: String)
        /// `--name VALUE`, any number of times, in order.
        case repeated(placeholder: String)
        /// `--name`, no value.
        case toggle
    }

    var name: String
    var kind: Kind
    var help: String
    var required = false

    static func value(_ name: String, _ placeholder: String, _ help: String, required: Bool = false) -> FlagSpec {
        FlagSpec(name: name, kind: .value(placeholder: placeholder), help: help, required: required)
    }

    static func repeated(_ name: String, _ placeholder: String, _ help: String) -> FlagSpec {
        FlagSpec(name: name, kind: .repeated(placeholder: placeholder), help: help)
    }

    static func toggle(_ name: String, _ help: String) -> FlagSpec {
        FlagSpec(name: name, kind: .toggle, help: help)
    }

    /// `--category CODE`, `--attach ID…`, `--overdue`.
    var synopsis: String {
        switch kind {
        case .value(let p): return "--\(name) \(p)"
        case .repeated(let p): return "--\(name) \(p)…"
        case .toggle: return "--\(name)"
        }
    }
}

/// A positional argument.
struct ArgumentSpec: Sendable, Equatable {
    enum Arity: Sendable, Equatable { case required, optional, oneOrMore, zeroOrMore }

    var name: String
    var arity: Arity
    var help: String

    static func required(_ name: String, _ help: String) -> ArgumentSpec { .init(name: name, arity: .required, help: help) }
    static func optional(_ name: String, _ help: String) -> ArgumentSpec { .init(name: name, arity: .optional, help: help) }
    static func oneOrMore(_ name: String, _ help: String) -> ArgumentSpec { .init(name: name, arity: .oneOrMore, help: help) }

    var synopsis: String {
        switch arity {
        case .required: return name
        case .optional: return "[\(name)]"
        case .oneOrMore: return "\(name)…"
        case .zeroOrMore: return "[\(name)…]"
        }
    }
}

/// A subcommand: its name, where it is listed, what it takes, and an example.
struct CommandSpec: Sendable {
    var name: String
    var group: String
    var summary: String
    var arguments: [ArgumentSpec] = []
    var flags: [FlagSpec] = []
    var example: String
    /// More text for `COMMAND --help` (optional).
    var details: String = ""
}

/// Wrong use of the command line: exit status 2.
struct UsageError: Error, Equatable, CustomStringConvertible {
    var message: String
    /// The command the mistake concerns, for the "see --help" hint.
    var command: String?

    var description: String { message }
}

/// The arguments of one invocation, by flag name (without dashes) and argument name.
struct ParsedArguments: Sendable, Equatable {
    var values: [String: [String]] = [:]
    var toggles: Set<String> = []
    var arguments: [String: [String]] = [:]

    /// The value of a value flag (or nil when not given).
    func value(_ flag: String) -> String? { values[flag]?.last }
    /// Every value of a repeated flag, in order.
    func all(_ flag: String) -> [String] { values[flag] ?? [] }
    /// Whether a switch (or any flag) was given.
    func has(_ flag: String) -> Bool { toggles.contains(flag) || values[flag] != nil }
    /// A single positional argument.
    func argument(_ name: String) -> String? { arguments[name]?.first }
    /// A variadic positional argument.
    func arguments(_ name: String) -> [String] { arguments[name] ?? [] }
}

/// What the command line asks for.
enum Invocation: Sendable {
    /// The tool's help (no command, or `--help` before any command).
    case toolHelp
    /// A command's help.
    case commandHelp(CommandSpec)
    /// Run a command with its arguments (global flags included in `arguments`).
    case run(CommandSpec, ParsedArguments)
}

enum CommandLineParser {
    /// Parses `argv` (without the program name).
    static func parse(_ argv: [String], globals: [FlagSpec], commands: [CommandSpec]) throws(UsageError) -> Invocation {
        // Find the command: the first argument that is neither a global flag nor its value.
        var index = 0
        var before: [String] = []
        while index < argv.count {
            let arg = argv[index]
            if arg == "-h" || arg == "--help" { return .toolHelp }
            guard arg.hasPrefix("-") && arg != "-" else { break }
            if arg == "--" { throw UsageError(message: "a command must come before '--'") }
            let (name, inline) = split(arg)
            guard let spec = globals.first(where: { $0.name == name }) else {
                throw UsageError(message: "unknown flag --\(name) (global flags: \(globals.map { "--" + $0.name }.joined(separator: ", ")))")
            }
            before.append(arg)
            if case .toggle = spec.kind {} else if inline == nil {
                index += 1
                guard index < argv.count else { throw UsageError(message: "--\(name) needs a value") }
                before.append(argv[index])
            }
            index += 1
        }
        guard index < argv.count else {
            if before.isEmpty { return .toolHelp }
            throw UsageError(message: "no command given")
        }
        let name = argv[index]
        guard let command = commands.first(where: { $0.name == name }) else {
            var message = "unknown command '\(name)'"
            if let near = closest(to: name, among: commands.map(\.name)) { message += "; did you mean '\(near)'?" }
            throw UsageError(message: message)
        }
        let rest = Array(argv[(index + 1)...])
        let flagPart = rest.firstIndex(of: "--").map { rest[..<$0] } ?? rest[...]
        if flagPart.contains(where: { $0 == "-h" || $0 == "--help" }) { return .commandHelp(command) }
        do {
            let parsed = try parse(before + rest, flags: command.flags + globals, arguments: command.arguments)
            return .run(command, parsed)
        } catch {
            throw UsageError(message: error.message, command: command.name)
        }
    }

    /// Parses one command's arguments against its flags and positional arguments.
    static func parse(_ args: [String], flags: [FlagSpec], arguments: [ArgumentSpec]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var positionals: [String] = []
        var index = 0
        var flagsEnded = false
        while index < args.count {
            let arg = args[index]
            index += 1
            if flagsEnded || !arg.hasPrefix("--") {
                if !flagsEnded && arg.hasPrefix("-") && arg.count > 1 && !isNumber(arg) {
                    throw UsageError(message: "unknown flag \(arg)")
                }
                positionals.append(arg)
                continue
            }
            if arg == "--" { flagsEnded = true; continue }
            let (name, inline) = split(arg)
            guard let spec = flags.first(where: { $0.name == name }) else {
                var message = "unknown flag --\(name)"
                if let near = closest(to: name, among: flags.map(\.name)) { message += "; did you mean --\(near)?" }
                throw UsageError(message: message)
            }
            switch spec.kind {
            case .toggle:
                guard inline == nil else { throw UsageError(message: "--\(name) takes no value") }
                parsed.toggles.insert(name)
            case .value, .repeated:
                let value: String
                if let inline {
                    value = inline
                } else {
                    guard index < args.count else { throw UsageError(message: "--\(name) needs a value") }
                    value = args[index]
                    index += 1
                }
                if case .value = spec.kind, parsed.values[name] != nil {
                    throw UsageError(message: "--\(name) is given more than once")
                }
                parsed.values[name, default: []].append(value)
            }
        }
        for spec in flags where spec.required && !parsed.has(spec.name) {
            throw UsageError(message: "missing \(spec.synopsis)")
        }
        parsed.arguments = try bind(positionals, to: arguments)
        return parsed
    }

    /// Assigns positional arguments to their specs in order; a variadic spec must be last.
    static func bind(_ positionals: [String], to specs: [ArgumentSpec]) throws(UsageError) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var rest = positionals[...]
        for (i, spec) in specs.enumerated() {
            let isLast = i == specs.count - 1
            switch spec.arity {
            case .required:
                guard let v = rest.popFirst() else { throw UsageError(message: "missing \(spec.name)") }
                result[spec.name] = [v]
            case .optional:
                // Leave enough for the required arguments after it.
                let needed = specs[(i + 1)...].filter { $0.arity == .required || $0.arity == .oneOrMore }.count
                if rest.count > needed, let v = rest.popFirst() { result[spec.name] = [v] }
            case .oneOrMore, .zeroOrMore:
                precondition(isLast, "a variadic argument must be the last")
                if spec.arity == .oneOrMore && rest.isEmpty { throw UsageError(message: "missing \(spec.name)") }
                result[spec.name] = Array(rest)
                rest = []
            }
        }
        if let extra = rest.first {
            throw UsageError(message: specs.isEmpty ? "unexpected argument '\(extra)'" : "unexpected argument '\(extra)' after \(specs.map(\.name).joined(separator: " "))")
        }
        return result
    }

    /// `--name=value` -> ("name", "value"); `--name` -> ("name", nil).
    static func split(_ arg: String) -> (name: String, inline: String?) {
        let body = arg.drop { $0 == "-" }
        if let eq = body.firstIndex(of: "=") {
            return (String(body[..<eq]), String(body[body.index(after: eq)...]))
        }
        return (String(body), nil)
    }

    /// `-3`, `-33.9`: a negative number, not a flag.
    static func isNumber(_ s: String) -> Bool { Double(s) != nil }

    /// The candidate nearest to `word` when it is plausibly a typo (edit distance ≤ 2, or a prefix).
    static func closest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= 2 || ($0.0.hasPrefix(word) && word.count >= 3) }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    // MARK: Help text

    /// `usage: portal-client assign CODE OFFICER_ID… [--remark TEXT]`.
    static func usageLine(tool: String, _ command: CommandSpec) -> String {
        var parts = ["usage: \(tool) \(command.name)"]
        parts += command.arguments.map(\.synopsis)
        for flag in command.flags {
            parts.append(flag.required ? flag.synopsis : "[\(flag.synopsis)]")
        }
        return wrap(parts, width: 100 - 8 - tool.count, indent: String(repeating: " ", count: 8 + tool.count))
    }

    /// The help of one command: usage, description, arguments, flags, example.
    static func help(tool: String, for command: CommandSpec, globals: [FlagSpec]) -> String {
        var out = usageLine(tool: tool, command) + "\n\n" + command.summary + "\n"
        if !command.details.isEmpty { out += "\n" + command.details + "\n" }
        if !command.arguments.isEmpty {
            out += "\nArguments:\n" + table(command.arguments.map { ($0.name, $0.help) })
        }
        if !command.flags.isEmpty {
            out += "\nFlags:\n" + table(command.flags.map { ($0.synopsis, ($0.required ? "(required) " : "") + $0.help) })
        }
        out += "\nGlobal flags: " + globals.map { $0.synopsis }.joined(separator: ", ") + " (see \(tool) --help)\n"
        out += "\nExample:\n  \(command.example)\n"
        return out
    }

    /// The tool's help: usage, global flags, commands by group, and a closing text.
    static func toolHelp(tool: String, intro: String, globals: [FlagSpec], commands: [CommandSpec], groups: [String], footer: String) -> String {
        var out = "usage: \(tool) [global flags] COMMAND [arguments] [flags]\n\n\(intro)\n"
        out += "\nGlobal flags:\n" + table(globals.map { ($0.synopsis, $0.help) })
        for group in groups {
            let members = commands.filter { $0.group == group }
            guard !members.isEmpty else { continue }
            out += "\n\(group):\n" + table(members.map { ($0.name, $0.summary) })
        }
        return out + "\n" + footer + "\n"
    }

    /// Two columns, the second aligned (and wrapped at 100 columns).
    static func table(_ rows: [(String, String)]) -> String {
        let width = min(max(rows.map(\.0.count).max() ?? 0, 8), 28)
        var out = ""
        for (left, right) in rows {
            let pad = left.count > width ? "\n" + String(repeating: " ", count: width + 4) : String(repeating: " ", count: width - left.count + 2)
            let body = wrap(right.split(separator: " ").map(String.init), width: 100 - width - 4, indent: String(repeating: " ", count: width + 4))
            out += "  \(left)\(pad)\(body)\n"
        }
        return out
    }

    /// Joins words with spaces into lines of at most `width` characters (a longer word stands
    /// alone); continuation lines start with `indent`.
    static func wrap(_ words: [String], width: Int, indent: String) -> String {
        var lines: [String] = []
        var line = ""
        for word in words {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n" + indent)
    }
}
