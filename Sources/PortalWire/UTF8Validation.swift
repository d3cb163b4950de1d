/// Strict UTF-8 validation for `string` fields, with an ASCII fast path.
public enum UTF8Validation {
    /// Returns the string, or nil if `raw` is not valid UTF-8 (overlongs, surrogates and
    /// code points past U+10FFFF included).
    @inlinable
    public static func makeString(_ raw: UnsafeRawBufferPointer) -> String? {
        if isASCII(raw) {
            return String(unsafeUninitializedCapacity: raw.count) { buffer in
                _ = buffer.initialize(from: raw)
                return raw.count
            }
        }
        return String(validating: raw, as: UTF8.self)
    }

    @inlinable
    public static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = raw.count
        guard let base = raw.baseAddress else { return true }
        while i + 8 <= n {
            if base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                return false
            }
            i += 8
        }
        while i < n {
            if base.load(fromByteOffset: i, as: UInt8.self) >= 0x80 { return false }
            i += 1
        }
        return true
    }
}
