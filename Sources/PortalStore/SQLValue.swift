/// One SQLite value: the five storage classes.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension SQLValue: CustomStringConvertible {
    /// The storage class only, never the content: values are citizens' data.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text(let string): "TEXT(\(string.utf8.count) bytes)"
        case .blob(let bytes): "BLOB(\(bytes.count) bytes)"
        }
    }
}
