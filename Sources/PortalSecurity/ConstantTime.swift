/// Comparisons whose running time does not depend on where two secrets first differ.
///
/// Use these wherever one side is secret and the other attacker-supplied: password hashes,
/// OTP codes, token digests. The *length* of the inputs may leak (the loop runs over the
/// common length and unequal lengths return early); their *contents* do not.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. Time depends only on the lengths.
    @inline(never)
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                accumulate(x, y) == 0
            }
        }
    }

    /// Compares the UTF-8 bytes of two strings (for stored hashes, OTP codes and the like).
    /// No Unicode normalisation: canonically equivalent but differently encoded strings differ.
    @inline(never)
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }

    /// ORs together the XOR of every byte pair, so no early exit is possible. `@inline(never)`
    /// keeps the optimiser from specialising the loop against a caller's known contents.
    @inline(never)
    private static func accumulate(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var difference: UInt8 = 0
        for i in 0..<x.count {
            difference |= x[i] ^ y[i]
        }
        return difference
    }
}
