/// A log-bucketed histogram of non-negative integers (here: latencies in microseconds), in the
/// manner of HdrHistogram: a fixed relative precision over a wide range in a flat array.
///
/// Layout, for `significantDigits` d: let S be the smallest number of bits with 2^S ≥ 2·10^d,
/// C = 2^S sub-buckets and H = C / 2.
///
/// - Values below C (2,048 for d = 3) are counted exactly: index = value.
/// - A larger value v with highest set bit m is counted at resolution 2^k, k = m − (S − 1) ≥ 1:
///   bucket k covers [H·2^k, C·2^k) in H steps of 2^k, index = C + (k − 1)·H + (v >> k) − H.
///
/// Every value is therefore stored within 2^k / (H·2^k) = 1/H of itself (< 0.1 % for d = 3,
/// < 1 % for d = 2). With the default 1 hour ceiling (3.6·10^9 µs, 21 log buckets) that is
/// 23,552 counters (184 KiB). Minimum, maximum, count and sum are kept exactly beside it.
/// Values above `highestTrackableValue` are counted at the ceiling (and in `clampedCount`);
/// the exact maximum still reports them.
public struct LatencyHistogram: Sendable, Equatable {
    public let significantDigits: Int
    public let highestTrackableValue: UInt64
    /// S, C and H of the layout above.
    let subBucketBits: Int
    let subBucketCount: Int
    let subBucketHalfCount: Int
    private(set) var counts: [UInt64]

    public private(set) var totalCount: UInt64 = 0
    /// Exact extremes of the recorded values (0 when empty).
    public private(set) var minValue: UInt64 = 0
    public private(set) var maxValue: UInt64 = 0
    /// Exact sum of the recorded values.
    public private(set) var sum: UInt64 = 0
    /// How many values exceeded `highestTrackableValue` (counted in its bucket).
    public private(set) var clampedCount: UInt64 = 0

    /// One hour in microseconds.
    public static let oneHourMicros: UInt64 = 3_600_000_000

    public init(significantDigits: Int = 3, highestTrackableValue: UInt64 = LatencyHistogram.oneHourMicros) {
        precondition((1...4).contains(significantDigits), "significantDigits must be 1-4")
        var largestExact = 2
        for _ in 0..<significantDigits { largestExact *= 10 }
        var bits = 1
        while (1 << bits) < largestExact { bits += 1 }
        self.significantDigits = significantDigits
        self.subBucketBits = bits
        self.subBucketCount = 1 << bits
        self.subBucketHalfCount = 1 << (bits - 1)
        self.highestTrackableValue = max(highestTrackableValue, UInt64(1 << bits))
        self.counts = []
        self.counts = [UInt64](repeating: 0, count: index(of: self.highestTrackableValue) + 1)
    }

    public var isEmpty: Bool { totalCount == 0 }
    /// Number of counters (the layout's size).
    public var bucketCount: Int { counts.count }

    // MARK: Layout

    /// The counter a value lands in (values above the ceiling must be clamped first).
    func index(of value: UInt64) -> Int {
        if value < UInt64(subBucketCount) { return Int(value) }
        let highestBit = 63 - value.leadingZeroBitCount
        let k = highestBit - (subBucketBits - 1)
        return subBucketCount + (k - 1) * subBucketHalfCount + Int(value >> UInt64(k)) - subBucketHalfCount
    }

    /// The smallest value that lands in counter `index`.
    func lowestEquivalentValue(ofIndex index: Int) -> UInt64 {
        if index < subBucketCount { return UInt64(index) }
        let j = index - subBucketCount
        let k = j / subBucketHalfCount + 1
        let sub = j % subBucketHalfCount + subBucketHalfCount
        return UInt64(sub) << UInt64(k)
    }

    /// The largest value that lands in counter `index`.
    func highestEquivalentValue(ofIndex index: Int) -> UInt64 {
        if index < subBucketCount { return UInt64(index) }
        let k = (index - subBucketCount) / subBucketHalfCount + 1
        return lowestEquivalentValue(ofIndex: index) + (UInt64(1) << UInt64(k)) - 1
    }

    /// The range of values counted together with `value`.
    public func equivalentRange(of value: UInt64) -> ClosedRange<UInt64> {
        let i = index(of: min(value, highestTrackableValue))
        return lowestEquivalentValue(ofIndex: i)...highestEquivalentValue(ofIndex: i)
    }

    // MARK: Recording

    public mutating func record(_ value: UInt64, count: UInt64 = 1) {
        guard count > 0 else { return }
        var v = value
        if v > highestTrackableValue {
            v = highestTrackableValue
            clampedCount += count
        }
        counts[index(of: v)] += count
        if totalCount == 0 || value < minValue { minValue = value }
        if value > maxValue { maxValue = value }
        totalCount += count
        sum &+= value &* count
    }

    /// Adds every value of `other`, which must have the same layout.
    public mutating func merge(_ other: LatencyHistogram) {
        precondition(other.subBucketBits == subBucketBits && other.counts.count == counts.count,
                     "histograms of different layouts cannot be merged")
        guard other.totalCount > 0 else { return }
        for i in other.counts.indices where other.counts[i] != 0 { counts[i] += other.counts[i] }
        if totalCount == 0 || other.minValue < minValue { minValue = other.minValue }
        if other.maxValue > maxValue { maxValue = other.maxValue }
        totalCount += other.totalCount
        sum &+= other.sum
        clampedCount += other.clampedCount
    }

    public mutating func reset() {
        for i in counts.indices { counts[i] = 0 }
        totalCount = 0; minValue = 0; maxValue = 0; sum = 0; clampedCount = 0
    }

    // MARK: Queries

    public var mean: Double { totalCount == 0 ? 0 : Double(sum) / Double(totalCount) }

    /// The value at `percentile` (0-100) by the nearest-rank rule: the smallest recorded value
    /// v such that at least `percentile` % of all values are ≤ v. Reported as the highest value
    /// of v's counter (so never below the true value, at most 1/H above it), limited to the
    /// exact maximum and minimum. 0 for an empty histogram; 100 is the exact maximum.
    public func value(atPercentile percentile: Double) -> UInt64 {
        guard totalCount > 0 else { return 0 }
        let p = min(max(percentile, 0), 100)
        if p >= 100 { return maxValue }
        let rank = Self.rank(percentile: p, of: totalCount)
        var seen: UInt64 = 0
        for i in counts.indices where counts[i] != 0 {
            seen += counts[i]
            if seen >= rank {
                return min(max(highestEquivalentValue(ofIndex: i), minValue), maxValue)
            }
        }
        return maxValue
    }

    /// The 1-based rank of the nearest-rank percentile among `count` values: ⌈p/100 · count⌉,
    /// at least 1. A tiny tolerance keeps binary rounding (99.9 / 100 · 1000 =
    /// 999.0000000000001) from pushing the rank one too high.
    static func rank(percentile p: Double, of count: UInt64) -> UInt64 {
        let exact = p / 100 * Double(count)
        let r = (exact - exact * 1e-12).rounded(.up)
        return min(max(1, UInt64(max(r, 0))), count)
    }

    /// How many recorded values are ≤ `value`, to the histogram's precision (counters whose
    /// range ends at or below `value`).
    public func count(atOrBelow value: UInt64) -> UInt64 {
        guard totalCount > 0 else { return 0 }
        var n: UInt64 = 0
        for i in counts.indices where counts[i] != 0 {
            if highestEquivalentValue(ofIndex: i) <= value { n += counts[i] } else { break }
        }
        return n
    }
}
