#if canImport(Glibc)
import Glibc
#endif

/// Reading the command line and the config file into `ServerOptions`.
///
/// Precedence: a flag beats the config file, which beats the default. The whole command line
/// is checked before the config file is read, and everything is checked before anything
/// starts: an unknown flag or key, a missing or bad value, or an unreadable or malformed
/// file is a `UsageError` naming the flag or key (portal-server exits with 2).
extension ServerOptions {
    static func parse(_ arguments: [String],
                      readFile: (String) throws(UsageError) -> [UInt8] = ServerOptions.readFile) throws(UsageError) -> Invocation {
        var flags: [(Setting, Setting.Value)] = []
        var configFile: String?
        var rest = arguments[...]
        while let arg = rest.popFirst() {
            if arg == "-h" || arg == "--help" { return .help }
            guard arg.hasPrefix("--") else { throw UsageError("unexpected argument \(arg)") }
            // --name VALUE or --name=VALUE
            let parts = arg.dropFirst(2).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let inline = parts.count == 2 ? String(parts[1]) : nil
            let flag = "--" + name
            if name == "config" {
                guard configFile == nil else { throw UsageError("--config given twice") }
                guard let path = inline ?? rest.popFirst(), !path.isEmpty else { throw UsageError("--config needs a file") }
                configFile = path
                continue
            }
            guard let setting = setting(named: name) else { throw UsageError("unknown flag \(flag)") }
            if case .toggle = setting.kind {
                guard inline == nil else { throw UsageError("\(flag) takes no value") }
                flags.append((setting, .toggle(true)))
                continue
            }
            guard let text = inline ?? rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            guard let value = flagValue(setting, text) else {
                throw UsageError("\(flag) \(setting.requirement) (got \"\(text)\")")
            }
            flags.append((setting, value))
        }

        var options = ServerOptions()
        if let configFile {
            options.configFile = configFile
            try options.applyConfig(try readFile(configFile), path: configFile)
        }
        for (setting, value) in flags { setting.apply(&options, value) }
        try options.check()
        return .run(options)
    }

    /// Applies the config file's settings (all of them, or none: the first mistake throws).
    mutating func applyConfig(_ bytes: [UInt8], path: String) throws(UsageError) {
        let root: JSONValue
        do {
            root = try JSONReader.parse(bytes)
        } catch {
            throw UsageError("config \(path): \(error)")
        }
        guard case .object(let members) = root else {
            throw UsageError("config \(path): must be a JSON object of settings, not \(root.typeName)")
        }
        var seen: Set<String> = []
        for member in members {
            guard seen.insert(member.key).inserted else { throw UsageError("config \(path): \"\(member.key)\" appears twice") }
            guard let setting = Self.setting(named: member.key) else {
                let hint = member.key == "config" ? " (a config file cannot name another)" : ""
                throw UsageError("config \(path): unknown key \"\(member.key)\"\(hint)")
            }
            guard let value = Self.configValue(setting, member.value) else {
                throw UsageError("config \(path): \"\(member.key)\" \(setting.requirement) (got \(member.value.shortDescription))")
            }
            setting.apply(&self, value)
        }
    }

    /// Checks across settings, after flags and file are merged.
    func check() throws(UsageError) {
        let e = portal.escalationOverride
        if let division = e.divisionAfterDays, let province = e.provinceAfterDays, province <= division {
            throw UsageError("province-after-days (\(province)) must be greater than division-after-days (\(division))")
        }
    }

    static func flagValue(_ setting: Setting, _ text: String) -> Setting.Value? {
        switch setting.kind {
        case .integer(let range):
            guard let n = Int(text), range.contains(n) else { return nil }
            return .integer(n)
        case .seconds(let range):
            guard let s = Double(text), s.isFinite, range.contains(s) else { return nil }
            return .seconds(s)
        case .text:
            return text.isEmpty ? nil : .text(text)
        case .choice(let names):
            return names.contains(text) ? .text(text) : nil
        case .toggle:
            return .toggle(true)
        }
    }

    static func configValue(_ setting: Setting, _ json: JSONValue) -> Setting.Value? {
        switch (setting.kind, json) {
        case (.integer(let range), .number(let literal)):
            guard let n = Int(literal), range.contains(n) else { return nil }  // "1.5" and "1e3" do not parse
            return .integer(n)
        case (.seconds(let range), .number(let literal)):
            guard let s = Double(literal), s.isFinite, range.contains(s) else { return nil }
            return .seconds(s)
        case (.text, .string(let s)):
            return s.isEmpty ? nil : .text(s)
        case (.choice(let names), .string(let s)):
            return names.contains(s) ? .text(s) : nil
        case (.toggle, .bool(let b)):
            return .toggle(b)
        default:
            return nil
        }
    }

    /// The file's bytes (at most 1 MiB).
    static func readFile(_ path: String) throws(UsageError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw UsageError("cannot read config \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            bytes += chunk[..<n]
            if bytes.count > 1 << 20 { throw UsageError("config \(path): larger than 1 MiB") }
            if n < chunk.count {
                if ferror(file) != 0 { throw UsageError("cannot read config \(path): read error") }
                return bytes
            }
        }
    }
}
