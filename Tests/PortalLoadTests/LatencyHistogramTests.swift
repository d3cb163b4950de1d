import Testing
@testable import PortalLoadCore

/// The percentile math of portal-load's HDR-style histogram.
@Suite struct LatencyHistogramTests {
    @Test func layoutForThreeDigits() {
        let h = LatencyHistogram(significantDigits: 3)
        #expect(h.subBucketCount == 2048)
        #expect(h.subBucketHalfCount == 1024)
        // 2048 exact counters + 21 log buckets of 1024 reach one hour (3.6e9 µs < 2^32).
        #expect(h.bucketCount == h.index(of: LatencyHistogram.oneHourMicros) + 1)
        #expect(h.bucketCount <= 2048 + 21 * 1024)
        let two = LatencyHistogram(significantDigits: 2)
        #expect(two.subBucketCount == 256)
    }

    @Test func valuesBelowTheSubBucketCountAreExact() {
        let h = LatencyHistogram()
        for v: UInt64 in [0, 1, 2, 999, 1000, 2047] {
            #expect(h.equivalentRange(of: v) == v...v)
        }
        #expect(h.equivalentRange(of: 2048) == 2048...2049)
        #expect(h.equivalentRange(of: 4095) == 4094...4095)
        #expect(h.equivalentRange(of: 4096) == 4096...4099)
    }

    @Test func indexAndRangesAreConsistentAndContiguous() {
        let h = LatencyHistogram()
        var expectedLow: UInt64 = 0
        for i in 0..<h.bucketCount {
            let low = h.lowestEquivalentValue(ofIndex: i)
            let high = h.highestEquivalentValue(ofIndex: i)
            #expect(low == expectedLow, "counter \(i) starts at \(low), not \(expectedLow)")
            #expect(h.index(of: low) == i)
            #expect(h.index(of: high) == i)
            expectedLow = high + 1
        }
    }

    @Test func relativeErrorStaysBelowOnePartInAThousand() {
        let h = LatencyHistogram(significantDigits: 3)
        var v: UInt64 = 1
        while v < LatencyHistogram.oneHourMicros {
            for probe in [v, v + 1, v * 3 / 2, v * 2 - 1] where probe <= h.highestTrackableValue {
                let r = h.equivalentRange(of: probe)
                #expect(r.contains(probe))
                #expect(Double(r.upperBound - r.lowerBound) <= Double(r.lowerBound) / 1000 + 1,
                        "range \(r) of \(probe) is too wide")
            }
            v *= 2
        }
        let coarse = LatencyHistogram(significantDigits: 2)
        let r = coarse.equivalentRange(of: 1_000_000)
        #expect(Double(r.upperBound - r.lowerBound) <= 1_000_000.0 / 100)
    }

    @Test func emptyHistogram() {
        let h = LatencyHistogram()
        #expect(h.isEmpty)
        #expect(h.value(atPercentile: 50) == 0)
        #expect(h.value(atPercentile: 100) == 0)
        #expect(h.mean == 0)
    }

    @Test func nearestRankOnSmallExactSets() {
        var h = LatencyHistogram()
        for v: UInt64 in [1, 2, 3, 4] { h.record(v) }
        #expect(h.value(atPercentile: 0) == 1)
        #expect(h.value(atPercentile: 25) == 1)
        #expect(h.value(atPercentile: 25.1) == 2)
        #expect(h.value(atPercentile: 50) == 2)
        #expect(h.value(atPercentile: 50.1) == 3)
        #expect(h.value(atPercentile: 75) == 3)
        #expect(h.value(atPercentile: 99) == 4)
        #expect(h.value(atPercentile: 100) == 4)
        #expect(h.mean == 2.5)

        var one = LatencyHistogram()
        one.record(777)
        for p in [0.0, 1, 50, 99.9, 100] { #expect(one.value(atPercentile: p) == 777) }
    }

    @Test func percentilesOfOneToTenThousand() {
        var h = LatencyHistogram()
        for v in UInt64(1)...10_000 { h.record(v) }
        #expect(h.totalCount == 10_000)
        #expect(h.minValue == 1 && h.maxValue == 10_000)
        // Exact region (< 2048): the true nearest-rank values.
        #expect(h.value(atPercentile: 10) == 1000)
        #expect(h.value(atPercentile: 20) == 2000)
        // Above it: the top of the value's counter, within 0.1 % above the true value.
        for (p, truth) in [(50.0, 5000.0), (90, 9000), (99, 9900), (99.9, 9990), (99.99, 9999)] {
            let got = Double(h.value(atPercentile: p))
            #expect(got >= truth && got <= truth * 1.001, "p\(p) = \(got), true value \(truth)")
        }
        #expect(h.value(atPercentile: 100) == 10_000)
        #expect(h.mean == 5000.5)
    }

    @Test func rankIsNotPushedUpByBinaryRounding() {
        // 99.9 / 100 * 1000 is 999.0000000000001 in binary floating point.
        #expect(LatencyHistogram.rank(percentile: 99.9, of: 1000) == 999)
        #expect(LatencyHistogram.rank(percentile: 50, of: 1) == 1)
        #expect(LatencyHistogram.rank(percentile: 0, of: 10) == 1)
        #expect(LatencyHistogram.rank(percentile: 50, of: 3) == 2)
        #expect(LatencyHistogram.rank(percentile: 99, of: 100) == 99)
        #expect(LatencyHistogram.rank(percentile: 99.99, of: 100) == 100)
        var h = LatencyHistogram()
        for v in UInt64(1)...1000 { h.record(v) }
        #expect(h.value(atPercentile: 99.9) == 999)
    }

    @Test func aTailIsSeenByHighPercentilesOnly() {
        // 990 fast calls at 1 ms and 10 slow ones at 2 s: p99 is fast, p99.9 and max are slow.
        var h = LatencyHistogram()
        h.record(1000, count: 990)
        h.record(2_000_000, count: 10)
        #expect(h.value(atPercentile: 50) == 1000)
        #expect(h.value(atPercentile: 99) == 1000)
        let p999 = h.value(atPercentile: 99.9)
        #expect(p999 >= 2_000_000 && p999 <= 2_002_000)
        #expect(h.maxValue == 2_000_000)
        #expect(h.value(atPercentile: 100) == 2_000_000)
    }

    @Test func reportedValueNeverExceedsTheExactMaximum() {
        var h = LatencyHistogram()
        h.record(1_000_001)   // its counter ends above it
        #expect(h.value(atPercentile: 50) == 1_000_001)
        #expect(h.value(atPercentile: 99.9) == 1_000_001)
    }

    @Test func valuesAboveTheCeilingAreClampedButMaxIsExact() {
        var h = LatencyHistogram(highestTrackableValue: 60_000_000)   // one minute
        h.record(10)
        h.record(120_000_000)
        #expect(h.clampedCount == 1)
        #expect(h.maxValue == 120_000_000)
        #expect(h.value(atPercentile: 100) == 120_000_000)
        let p99 = h.value(atPercentile: 99)
        #expect(p99 >= 60_000_000 && p99 <= 120_000_000)
    }

    @Test func mergeEqualsRecordingEverythingInOne() {
        var a = LatencyHistogram(), b = LatencyHistogram(), both = LatencyHistogram()
        var rng = SplitMix64(seed: 42)
        for i in 0..<20_000 {
            let v = rng.next() % 5_000_000
            if i % 3 == 0 { a.record(v) } else { b.record(v) }
            both.record(v)
        }
        var merged = a
        merged.merge(b)
        #expect(merged == both)
        for p in [50.0, 90, 99, 99.9] { #expect(merged.value(atPercentile: p) == both.value(atPercentile: p)) }
        var empty = LatencyHistogram()
        empty.merge(a)
        #expect(empty == a)
    }

    @Test func countAtOrBelowAndReset() {
        var h = LatencyHistogram()
        for v in UInt64(1)...100 { h.record(v) }
        #expect(h.count(atOrBelow: 50) == 50)
        #expect(h.count(atOrBelow: 0) == 0)
        #expect(h.count(atOrBelow: 1_000) == 100)
        h.reset()
        #expect(h.isEmpty && h.maxValue == 0 && h.value(atPercentile: 50) == 0)
    }

    @Test func percentilesAgainstSortedSamples() {
        // Random log-normal-ish latencies: each percentile lies within the counter precision
        // above the exact nearest-rank value of the sorted samples.
        var rng = SplitMix64(seed: 7)
        var samples: [UInt64] = []
        var h = LatencyHistogram()
        for _ in 0..<50_000 {
            let exponent = Double(rng.next() % 10_000) / 10_000 * 6    // 1 µs … 1 s
            var v: Double = 1
            for _ in 0..<Int(exponent * 10) { v *= 1.2589254 }           // 10^(x/10)
            let value = UInt64(v)
            samples.append(value)
            h.record(value)
        }
        samples.sort()
        for p in [1.0, 25, 50, 75, 90, 99, 99.9, 99.99] {
            let rank = Int(LatencyHistogram.rank(percentile: p, of: UInt64(samples.count)))
            let truth = samples[rank - 1]
            let got = h.value(atPercentile: p)
            #expect(got >= truth && Double(got) <= Double(truth) * 1.001 + 1, "p\(p): \(got) vs \(truth)")
        }
    }
}
