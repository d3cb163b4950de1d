/// Strict UTF-8 validation for `string` fields, with an ASCII fast path.
public enum UTF8Validation {
    /// Returns the string, or nil if `raw` is not valid UTF-8 (overlongs, surrogates and
    /// code points past U+10FFFF included).
    ///
    /// The standard library validates once and builds the string from the same bytes:
    /// `String._tryFromUTF8` is public (underscored; Foundation's JSON decoder uses it) and
    /// non-generic, and rejects exactly what `String(validating:as:)` rejects. Validating
    /// here first and then calling `String(decoding:as:)` would validate twice, as that
    /// initialiser checks its input again in order to repair it.
    @inlinable
    public static func makeString(_ raw: UnsafeRawBufferPointer) -> String? {
        guard let base = raw.baseAddress, raw.count > 0 else { return "" }
        return String._tryFromUTF8(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count))
    }

    /// Whether `raw` is well-formed UTF-8 as Unicode defines it (Table 3-7): no overlong
    /// forms, no surrogates (U+D800...U+DFFF), nothing past U+10FFFF. (Decoding does not
    /// need it: `makeString` validates as it builds the string.)
    @inlinable
    public static func isValid(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return true }
        if allASCII(base, raw.count) { return true }
        return isValidMultiByte(base, raw.count)
    }

    /// ASCII check with (almost) no data-dependent branches: every eight-byte word OR-ed
    /// together, the tail covered by one overlapping load; short inputs by two overlapping
    /// loads. Most `string` fields are ASCII and take only this path.
    @inlinable @inline(__always)
    static func allASCII(_ base: UnsafeRawPointer, _ n: Int) -> Bool {
        var bits: UInt64 = 0
        if n >= 8 {
            var i = 0
            while i &+ 8 <= n {
                bits |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                i &+= 8
            }
            bits |= base.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 {
            bits = UInt64(base.loadUnaligned(as: UInt32.self) | base.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))
        } else if n > 0 {
            bits = UInt64(base.load(as: UInt8.self) | base.load(fromByteOffset: n &>> 1, as: UInt8.self)
                | base.load(fromByteOffset: n &- 1, as: UInt8.self))
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    /// The full check, for input with at least one byte of 0x80 or more. An ASCII byte
    /// starts a skip over the ASCII run after it, eight bytes at a time; between multi-byte
    /// sequences (text in other scripts) no such probe is made.
    @inlinable
    static func isValidMultiByte(_ base: UnsafeRawPointer, _ n: Int) -> Bool {
        @inline(__always) func byte(_ k: Int) -> UInt8 { base.load(fromByteOffset: k, as: UInt8.self) }
        @inline(__always) func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        var i = 0
        while i < n {
            let b0 = byte(i)
            if b0 < 0x80 {
                i &+= 1
                while i &+ 8 <= n, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    i &+= 8
                }
                continue
            }
            if b0 < 0xE0 {
                // Two bytes: C2...DF (C0 and C1 would be overlong; below C0 is a stray
                // continuation byte), then one continuation byte.
                guard b0 >= 0xC2, i &+ 1 < n, isContinuation(byte(i &+ 1)) else { return false }
                i &+= 2
            } else if b0 < 0xF0 {
                guard i &+ 2 < n else { return false }
                let b1 = byte(i &+ 1)
                let low: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80  // E0 80...9F would be overlong
                let high: UInt8 = b0 == 0xED ? 0x9F : 0xBF  // ED A0...BF are surrogates
                guard b1 >= low, b1 <= high, isContinuation(byte(i &+ 2)) else { return false }
                i &+= 3
            } else if b0 < 0xF5 {
                guard i &+ 3 < n else { return false }
                let b1 = byte(i &+ 1)
                let low: UInt8 = b0 == 0xF0 ? 0x90 : 0x80  // F0 80...8F would be overlong
                let high: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF  // F4 90... is past U+10FFFF
                guard b1 >= low, b1 <= high, isContinuation(byte(i &+ 2)), isContinuation(byte(i &+ 3)) else { return false }
                i &+= 4
            } else {
                return false
            }
        }
        return true
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
