/// A position in a `.proto` file (1-based line and column, like protoc's messages).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One error in a schema, printed `file:line:col: message` so build logs and editors link it.
public struct SchemaError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// All errors found while compiling a set of files (the compiler reports every error it
/// can, not just the first).
public struct SchemaErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [SchemaError]
    public init(_ errors: [SchemaError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
