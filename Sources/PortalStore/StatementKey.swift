/// The statement cache's key: the SQL text, hashed by its length and its first and last 32
/// UTF-8 bytes instead of all of them.
///
/// Every statement a service runs is looked up by its text, and the texts are long (the
/// complaint INSERT is over 300 bytes): hashing them whole was about 800 instructions a
/// lookup, 4 % of a FileComplaint's server instructions. Texts that share their length and
/// both ends only share a hash bucket; equality still compares the whole text (and is
/// immediate for the same string literal, which shares its storage).
struct StatementKey: Hashable {
    let sql: String

    init(_ sql: String) {
        self.sql = sql
    }

    static func == (a: StatementKey, b: StatementKey) -> Bool {
        a.sql == b.sql
    }

    func hash(into hasher: inout Hasher) {
        let ends = 32
        let hashed: Void? = sql.utf8.withContiguousStorageIfAvailable { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            hasher.combine(raw.count)
            if raw.count <= 2 * ends {
                hasher.combine(bytes: raw)
            } else {
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[..<ends]))
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[(raw.count - ends)...]))
            }
        }
        if hashed == nil {
            hasher.combine(sql)   // a bridged or non-contiguous string: hash it whole
        }
    }
}
