import PortalModel

extension Google_Protobuf_Timestamp {
    init(millis: Int64) {
        self.init()
        let (q, r) = millis.quotientAndRemainder(dividingBy: 1000)
        seconds = r < 0 ? q - 1 : q
        nanos = Int32(r < 0 ? r + 1000 : r) * 1_000_000
    }

    /// Unix milliseconds, or nil when the timestamp is unset or out of protobuf's range.
    var millisIfValid: Int64? {
        guard seconds != 0 || nanos != 0 else { return nil }
        guard (-62_135_596_800...253_402_300_799).contains(seconds), (0..<1_000_000_000).contains(nanos) else { return nil }
        return seconds * 1000 + Int64(nanos / 1_000_000)
    }
}
