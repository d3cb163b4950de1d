import Synchronization

/// The id of one RPC call, for logs: 16 lowercase hex digits. The server gives every call one
/// when its CALL arrives and binds it to `RequestID.current` while the handler runs, so a
/// service that logs from inside a handler (a store failure, say) names the call without
/// passing it around; the call's completion line carries the same id.
public struct RequestID: Sendable, Hashable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// The call the current task is serving, if it is a handler's task (or a child of one).
    @TaskLocal public static var current: RequestID?

    public var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Hands out request ids: a random 64-bit start, stepped by one and scrambled with
/// SplitMix64's finalizer (a bijection), so the ids of one process never repeat and those of
/// different runs do not line up. One atomic add per call.
final class RequestIDSource: Sendable {
    private let seed: UInt64
    private let counter = Atomic<UInt64>(0)

    init(seed: UInt64 = UInt64.random(in: .min ... .max)) { self.seed = seed }

    func next() -> RequestID {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return RequestID(Self.mix(seed &+ n))
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
