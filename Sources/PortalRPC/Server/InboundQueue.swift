import PortalModel
import Synchronization

/// Request messages of one streaming call, pushed by the event loop and pulled by the
/// handler's task. Pulling a message is what grants the client more flow-control credit, so a
/// handler that stops reading stops its client, and server memory stays bounded.
final class InboundQueue: Sendable {
    private struct State {
        var buffer: [[UInt8]] = []
        var head = 0
        var finished = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        /// Bytes pulled from `buffer` but not yet reported to `onConsume`.
        var unreported = 0

        /// Counts `bytes` as consumed; what to report now (all of it once a batch has gathered).
        mutating func consumed(_ bytes: Int) -> Int {
            unreported += bytes
            return unreported >= InboundQueue.reportBatch ? takeUnreported() : 0
        }

        mutating func takeUnreported() -> Int {
            defer { unreported = 0 }
            return unreported
        }
    }

    /// A reader working through buffered messages reports what it consumed once this many
    /// bytes have gathered (one hand-over to the loop instead of one a message), and always
    /// before it waits or the queue ends, so no credit is withheld from a sender that waits
    /// for it. Far below any window the peer can announce, whose credit is batched anyway.
    static let reportBatch = 16 * 1024

    private let state = Mutex(State())
    /// Called (from any thread) with the byte count of each consumed message, and of the
    /// messages discarded unread.
    private let onConsume: @Sendable (Int) -> Void

    init(onConsume: @escaping @Sendable (Int) -> Void) { self.onConsume = onConsume }

    /// Loop side: a message arrived.
    func push(_ message: [UInt8]) {
        let (waiter, report) = state.withLock { s -> (CheckedContinuation<[UInt8]?, any Error>?, Int) in
            guard let w = s.waiter else {
                s.buffer.append(message)
                return (nil, 0)
            }
            // Handed straight to the waiting reader: consumed, reported like a pulled one.
            s.waiter = nil
            return (w, s.consumed(message.count))
        }
        if report > 0 { onConsume(report) }
        waiter?.resume(returning: message)
    }

    /// Loop side: the call is over and nobody will read what is left. The queue ends with
    /// `failure`, and the bytes of the messages still buffered are reported to `onConsume`
    /// at once: their sender counted them against its windows, and credit that is never
    /// returned would shrink its connection window for good.
    func discard(_ failure: any Error) {
        let (waiter, left) = state.withLock { s -> (CheckedContinuation<[UInt8]?, any Error>?, Int) in
            let left = s.buffer[s.head...].reduce(0) { $0 + $1.count } + s.takeUnreported()
            s.buffer.removeAll()
            s.head = 0
            guard !s.finished else { return (nil, left) }
            s.finished = true
            s.failure = failure
            defer { s.waiter = nil }
            return (s.waiter, left)
        }
        if left > 0 { onConsume(left) }
        waiter?.resume(throwing: failure)
    }

    /// Messages nobody read (the reader dropped the stream) return their credit too.
    deinit {
        let left = state.withLock { s in s.buffer[s.head...].reduce(0) { $0 + $1.count } + s.unreported }
        if left > 0 { onConsume(left) }
    }

    /// Loop side: the client half-closed (nil) or the call failed.
    func finish(_ failure: (any Error)? = nil) {
        let (waiter, unreported) = state.withLock { s -> (CheckedContinuation<[UInt8]?, any Error>?, Int) in
            let unreported = s.takeUnreported()
            guard !s.finished else { return (nil, unreported) }
            s.finished = true
            s.failure = failure
            defer { s.waiter = nil }
            return (s.waiter, unreported)
        }
        if unreported > 0 { onConsume(unreported) }
        if let failure { waiter?.resume(throwing: failure) } else { waiter?.resume(returning: nil) }
    }

    /// Handler side: the next message, nil after the client's half-close.
    func next() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8]?, any Error>) in
                enum Outcome { case value([UInt8]), end, failure(any Error), wait }
                let (outcome, report) = state.withLock { s -> (Outcome, Int) in
                    if s.head < s.buffer.count {
                        let m = s.buffer[s.head]
                        s.head += 1
                        if s.head == s.buffer.count {
                            s.buffer.removeAll(keepingCapacity: true)
                            s.head = 0
                        }
                        return (.value(m), s.consumed(m.count))
                    }
                    // Nothing buffered: report everything before waiting or ending.
                    let all = s.takeUnreported()
                    if s.finished { return (s.failure.map(Outcome.failure) ?? .end, all) }
                    if Task.isCancelled { return (.failure(CancellationError()), all) }
                    s.waiter = c
                    return (.wait, all)
                }
                if report > 0 { onConsume(report) }
                switch outcome {
                case .value(let m): c.resume(returning: m)
                case .end: c.resume(returning: nil)
                case .failure(let e): c.resume(throwing: e)
                case .wait: break
                }
            }
        } onCancel: {
            finish(CancellationError())
        }
    }

    /// The queue as a typed stream of decoded requests.
    func typed<Request: ProtoMessage>(_ type: Request.Type) -> RPCStream<Request> {
        RPCStream(AsyncThrowingStream(unfolding: { [self] in
            try await next().map { try Request(serializedBytes: $0) }
        }))
    }
}
