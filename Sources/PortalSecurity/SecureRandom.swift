#if canImport(Glibc)
import Glibc
#endif
import CCrypt

/// Cryptographically secure randomness straight from the kernel (getrandom(2)).
///
/// Use it for salts, session and reset tokens and OTP codes; never `SystemRandomNumberGenerator`
/// wrapped in ad-hoc arithmetic, and never a seeded generator. Calls never block once the
/// kernel's pool has been initialised (early boot only). If the kernel cannot supply random
/// bytes at all the process stops: continuing with weak randomness would be worse.
public enum SecureRandom {
    /// Fills `buffer` with random bytes, retrying EINTR and looping on short reads
    /// (getrandom returns at most 32 MiB per call, and may return less if interrupted).
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard var cursor = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            let n = ccrypt_getrandom(cursor, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                fatalError("getrandom(2) failed with errno \(errno); refusing to continue without secure randomness")
            }
            cursor += n
            remaining -= n
        }
    }

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "negative byte count")
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// A random token of `bytes` bytes of entropy, base64url without padding (32 bytes give
    /// 43 characters of `A-Z a-z 0-9 - _`). Safe in URLs, headers and file names.
    ///
    /// Store only a digest of a token (`SHA256.hex(SHA256.hash(token.utf8))`), so a leaked
    /// database does not hand out live sessions; compare digests with `ConstantTime`.
    public static func token(bytes: Int = 32) -> String {
        precondition(bytes > 0, "a token needs at least one byte of entropy")
        var raw = self.bytes(bytes)
        defer { raw.withUnsafeMutableBytes { ccrypt_wipe($0.baseAddress, $0.count) } }
        return Base64URL.encode(raw)
    }

    /// `count` uniformly distributed decimal digits (an OTP code, say), leading zeros kept.
    ///
    /// Rejection sampling: random bytes of 250 or more are discarded, so each kept byte maps
    /// onto 0...9 through `% 10` with exactly 25 preimages per digit (no modulo bias).
    public static func digits(_ count: Int) -> String {
        precondition(count > 0, "need at least one digit")
        var result: [UInt8] = []
        result.reserveCapacity(count)
        // 250/256 of bytes are kept; ask for a little more than needed to rarely loop.
        var pool = [UInt8](repeating: 0, count: count + count / 8 + 4)
        while result.count < count {
            pool.withUnsafeMutableBytes { fill($0) }
            for byte in pool where byte < 250 && result.count < count {
                result.append(UInt8(ascii: "0") + byte % 10)
            }
        }
        pool.withUnsafeMutableBytes { ccrypt_wipe($0.baseAddress, $0.count) }
        return String(decoding: result, as: UTF8.self)
    }

    /// A uniformly random integer in `0..<upperBound` (rejection sampling over 64-bit words).
    public static func uniform(below upperBound: UInt64) -> UInt64 {
        precondition(upperBound > 0, "empty range")
        // Reject the top partial block so every residue has the same number of preimages.
        let limit = UInt64.max - (UInt64.max % upperBound + 1) % upperBound
        while true {
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) { fill($0) }
            if word <= limit { return word % upperBound }
        }
    }
}
