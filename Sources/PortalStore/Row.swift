import CSQLite

/// The current row of a query: a borrowed view, valid only inside the row closure it is
/// passed to (it is `~Copyable`, so it cannot be stored or escape). Columns are 0-based.
///
/// Accessors follow SQLite's conversions: `int` of NULL is 0, `text` of NULL is "", `blob` of
/// NULL is empty; use the `optional…` forms or `isNull` where NULL means something.
public struct Row: ~Copyable {
    let statement: OpaquePointer

    init(_ statement: OpaquePointer) {
        self.statement = statement
    }

    public var columnCount: Int32 { sqlite3_column_count(statement) }

    public func columnName(_ index: Int32) -> String {
        sqlite3_column_name(statement, index).map { String(cString: $0) } ?? ""
    }

    public func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    public func int(_ index: Int32) -> Int64 {
        sqlite3_column_int64(statement, index)
    }

    public func optionalInt(_ index: Int32) -> Int64? {
        isNull(index) ? nil : int(index)
    }

    public func bool(_ index: Int32) -> Bool {
        int(index) != 0
    }

    public func double(_ index: Int32) -> Double {
        sqlite3_column_double(statement, index)
    }

    public func optionalDouble(_ index: Int32) -> Double? {
        isNull(index) ? nil : double(index)
    }

    public func text(_ index: Int32) -> String {
        // column_text first, then column_bytes: the order SQLite documents.
        guard let text = sqlite3_column_text(statement, index) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func optionalText(_ index: Int32) -> String? {
        isNull(index) ? nil : text(index)
    }

    public func blob(_ index: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(statement, index) else { return [] }
        let count = Int(sqlite3_column_bytes(statement, index))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    public func optionalBlob(_ index: Int32) -> [UInt8]? {
        isNull(index) ? nil : blob(index)
    }

    /// The column as stored (its dynamic SQLite type).
    public func value(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: .integer(int(index))
        case SQLITE_FLOAT: .real(double(index))
        case SQLITE_TEXT: .text(text(index))
        case SQLITE_BLOB: .blob(blob(index))
        default: .null
        }
    }
}
