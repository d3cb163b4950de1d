/// SHA-256 (FIPS 180-4) in plain Swift: one-shot `hash` for small inputs, and incremental
/// `update` / `finalize` for streaming uploads (checksums of attachments as they arrive).
///
/// ```swift
/// var hasher = SHA256()
/// for chunk in chunks { hasher.update(chunk) }
/// let digest = hasher.finalize()          // 32 bytes
/// let text = SHA256.hex(digest)           // 64 lower-case hex digits
/// ```
public struct SHA256: Sendable {
    /// Digest size in bytes.
    public static let byteCount = 32
    /// Block size in bytes.
    public static let blockByteCount = 64

    private var h0: UInt32 = 0x6a09e667, h1: UInt32 = 0xbb67ae85
    private var h2: UInt32 = 0x3c6ef372, h3: UInt32 = 0xa54ff53a
    private var h4: UInt32 = 0x510e527f, h5: UInt32 = 0x9b05688c
    private var h6: UInt32 = 0x1f83d9ab, h7: UInt32 = 0x5be0cd19
    /// Bytes not yet forming a whole block (always fewer than 64).
    private var pending: [UInt8] = []
    /// Total bytes hashed so far.
    private var length: UInt64 = 0

    public init() {
        pending.reserveCapacity(SHA256.blockByteCount)
    }

    /// The digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `raw`, with no allocation but the digest's: whole blocks straight from
    /// `raw`, the padded tail in stack space (session tokens and audit entries hash this way
    /// on every request).
    public static func hash(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        var state = SHA256(emptyPending: ())
        let whole = state.compressWholeBlocks(raw, from: 0)
        state.length = UInt64(raw.count)
        return withUnsafeTemporaryAllocation(byteCount: 2 * blockByteCount, alignment: 8) { tail in
            let rest = raw.count - whole
            if rest > 0 {
                tail.baseAddress!.copyMemory(from: raw.baseAddress! + whole, byteCount: rest)
            }
            return state.finish(tail: tail, pendingCount: rest)
        }
    }

    /// A hasher whose `pending` buffer is never used (the one-shot path).
    private init(emptyPending: Void) {}

    /// Lower-case hexadecimal of `bytes` (two characters per byte).
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Adds the bytes of `raw` to the message.
    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        length &+= UInt64(raw.count)
        var offset = 0
        // Complete a partial block first.
        if !pending.isEmpty {
            let take = min(SHA256.blockByteCount - pending.count, raw.count)
            pending.append(contentsOf: raw[0..<take])
            offset = take
            guard pending.count == SHA256.blockByteCount else { return }
            let block = pending
            block.withUnsafeBytes { compress($0) }
            pending.removeAll(keepingCapacity: true)
        }
        offset = compressWholeBlocks(raw, from: offset)
        if offset < raw.count {
            pending.append(contentsOf: raw[offset...])
        }
    }

    /// The digest of everything passed to `update` so far. Does not change the hasher, so it
    /// can be called mid-stream and updating can continue afterwards.
    public func finalize() -> [UInt8] {
        let copy = self
        return withUnsafeTemporaryAllocation(byteCount: 2 * SHA256.blockByteCount, alignment: 8) { tail in
            pending.withUnsafeBytes { tail.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            return copy.finish(tail: tail, pendingCount: pending.count)
        }
    }

    /// Pads the `pendingCount` bytes at the start of `tail` (room for two blocks), compresses
    /// them and returns the digest.
    private consuming func finish(tail: UnsafeMutableRawBufferPointer, pendingCount: Int) -> [UInt8] {
        let bitLength = length &* 8
        var end = pendingCount
        tail[end] = 0x80
        end += 1
        let blocks = end + 8 <= SHA256.blockByteCount ? 1 : 2
        let lengthAt = blocks * SHA256.blockByteCount - 8
        (tail.baseAddress! + end).initializeMemory(as: UInt8.self, repeating: 0, count: lengthAt - end)
        tail.storeBytes(of: bitLength.bigEndian, toByteOffset: lengthAt, as: UInt64.self)
        for block in 0..<blocks {
            let start = block * SHA256.blockByteCount
            compress(UnsafeRawBufferPointer(rebasing: tail[start..<start + SHA256.blockByteCount]))
        }
        return [UInt8](unsafeUninitializedCapacity: SHA256.byteCount) { digest, count in
            let raw = UnsafeMutableRawBufferPointer(digest)
            raw.storeBytes(of: h0.bigEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: h1.bigEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: h2.bigEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: h3.bigEndian, toByteOffset: 12, as: UInt32.self)
            raw.storeBytes(of: h4.bigEndian, toByteOffset: 16, as: UInt32.self)
            raw.storeBytes(of: h5.bigEndian, toByteOffset: 20, as: UInt32.self)
            raw.storeBytes(of: h6.bigEndian, toByteOffset: 24, as: UInt32.self)
            raw.storeBytes(of: h7.bigEndian, toByteOffset: 28, as: UInt32.self)
            count = SHA256.byteCount
        }
    }

    /// Compresses the whole blocks of `raw` from `offset` on, straight from the caller's
    /// memory, and returns the offset of the bytes left over (fewer than a block).
    private mutating func compressWholeBlocks(_ raw: UnsafeRawBufferPointer, from offset: Int) -> Int {
        var offset = offset
        while raw.count - offset >= SHA256.blockByteCount {
            compress(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + SHA256.blockByteCount]))
            offset += SHA256.blockByteCount
        }
        return offset
    }

    /// Processes one 64-byte block: the message schedule in a 16-word ring, eight rounds per
    /// step with the working variables renamed instead of moved.
    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { w in
            for t in 0..<16 {
                w[t] = block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self).bigEndian
            }
            SHA256.roundConstants.withUnsafeBufferPointer { k in
                var t = 0
                while t < 64 {
                    if t >= 16 {
                        for i in 0..<16 {
                            let w15 = w[(i + 1) & 15], w2 = w[(i + 14) & 15]
                            let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
                            let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
                            w[i] = w[i] &+ s0 &+ w[(i + 9) & 15] &+ s1
                        }
                    }
                    for i in stride(from: 0, to: 16, by: 8) {
                        round(a, b, c, &d, e, f, g, &h, k[t + i] &+ w[i])
                        round(h, a, b, &c, d, e, f, &g, k[t + i + 1] &+ w[i + 1])
                        round(g, h, a, &b, c, d, e, &f, k[t + i + 2] &+ w[i + 2])
                        round(f, g, h, &a, b, c, d, &e, k[t + i + 3] &+ w[i + 3])
                        round(e, f, g, &h, a, b, c, &d, k[t + i + 4] &+ w[i + 4])
                        round(d, e, f, &g, h, a, b, &c, k[t + i + 5] &+ w[i + 5])
                        round(c, d, e, &f, g, h, a, &b, k[t + i + 6] &+ w[i + 6])
                        round(b, c, d, &e, f, g, h, &a, k[t + i + 7] &+ w[i + 7])
                    }
                    t += 16
                }
            }
        }
        h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
        h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
    }

    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
}

/// One round: `d` and `h` take the new values, and the caller's next round names the
/// variables one place further along.
@inline(__always)
private func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                   _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32) {
    let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ kw
    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
    d = d &+ t1
    h = t1 &+ t2
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x >> n) | (x << (32 - n))
}
