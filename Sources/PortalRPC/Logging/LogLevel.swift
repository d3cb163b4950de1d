/// How important a log line is. A logger writes its level and everything more severe.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case error = 0, warn, info, debug

    /// The names the flags, the config file and the JSON lines use.
    public var description: String {
        switch self {
        case .error: "error"
        case .warn: "warn"
        case .info: "info"
        case .debug: "debug"
        }
    }

    /// `error`, `warn`, `info` or `debug`.
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = level
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// How log lines are written: `text` for people (`TIME LEVEL message key=value ...`) or
/// `json` (one JSON object per line: `ts`, `level`, `msg`, then the fields).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// A field value: text, an integer, a number or a flag.
public enum LogValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
                      ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    public static func int(_ value: Int) -> LogValue { .int(Int64(value)) }
}

/// One `key=value` of a log line. Keys are the program's own constants (snake_case); values
/// are ids, codes, names of methods and counts, never request content.
public struct LogField: Sendable, Equatable {
    public var key: String
    public var value: LogValue

    public init(_ key: String, _ value: LogValue) {
        self.key = key
        self.value = value
    }
}

/// One line to write: when, how important, what happened, and its fields.
struct LogRecord: Sendable {
    /// Wall-clock time (CLOCK_REALTIME) when the line was logged.
    var seconds: Int
    var nanoseconds: Int
    var level: LogLevel
    var message: String
    var fields: [LogField]
}
