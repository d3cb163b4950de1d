import PortalModel
import Synchronization

/// The client's state for one call, owned by its connection's event loop.
///
/// Loop-confined: its stored properties are `@exclusivity(unchecked)`, as `EventLoop` explains.
final class ClientStream {
    enum Receiver {
        /// Unary and client-streaming: one response, then the status.
        case single
        /// Server-streaming and bidi: responses into a queue the caller iterates.
        case stream(InboundQueue)
    }

    enum Outbound {
        case message([UInt8], endStream: Bool, CheckedContinuation<Void, any Error>?)
        case halfClose
    }

    let id: UInt32
    let receiver: Receiver
    @exclusivity(unchecked) var response: [UInt8]?
    /// For `.single`: who waits for the outcome, or the outcome if it came first.
    @exclusivity(unchecked) var waiter: CheckedContinuation<[UInt8], any Error>?
    @exclusivity(unchecked) var outcome: Result<[UInt8], RPCError>?
    @exclusivity(unchecked) var sendWindow: Int
    @exclusivity(unchecked) var receiveWindow: Int
    @exclusivity(unchecked) var credit: CreditLedger
    /// Request frames waiting for send credit, in order.
    @exclusivity(unchecked) var blocked: [Outbound] = []
    @exclusivity(unchecked) var halfClosed = false
    @exclusivity(unchecked) var deadlineTimer: TimerQueue.ID?
    @exclusivity(unchecked) var done = false
    /// Why the call ended, for writes attempted afterwards: the server's status when it ended
    /// the call (a refused upload must report the server's reason, not a local CANCELLED).
    @exclusivity(unchecked) var endedError: RPCError?
    /// Set when the server's STATUS ended the call.
    @exclusivity(unchecked) var endedByServer = false

    /// The call's outcome when the server has already ended it, else nil.
    var serverOutcome: Result<[UInt8], RPCError>? { endedByServer ? outcome : nil }

    init(id: UInt32, receiver: Receiver, sendWindow: Int, receiveWindow: Int) {
        self.id = id
        self.receiver = receiver
        self.sendWindow = sendWindow
        self.receiveWindow = receiveWindow
        self.credit = CreditLedger(window: receiveWindow)
    }

    /// For `.single`: resumes `c` with the outcome now or when it arrives.
    func awaitOutcome(_ c: CheckedContinuation<[UInt8], any Error>) {
        if let outcome {
            c.resume(with: outcome)
        } else {
            waiter = c
        }
    }

    /// Ends the call for the caller: a response, a stream end, or an error.
    func complete(_ status: Status) {
        guard !done else { return }
        done = true
        let ended = RPCError(code: status.code == .ok ? .cancelled : status.code,
                             message: status.message.isEmpty ? "the call has ended" : status.message)
        endedError = ended
        for case .message(_, _, let c?) in blocked { c.resume(throwing: ended) }
        blocked.removeAll()
        switch receiver {
        case .single:
            let result: Result<[UInt8], RPCError>
            if status.code != .ok {
                result = .failure(RPCError(code: status.code, message: status.message))
            } else if let response {
                result = .success(response)
            } else {
                result = .failure(RPCError(code: .internalError, message: "the server sent OK without a response message"))
            }
            if let waiter {
                self.waiter = nil
                waiter.resume(with: result)
            } else {
                outcome = result
            }
        case .stream(let queue):
            queue.finish(status.code == .ok ? nil : RPCError(code: status.code, message: status.message))
        }
    }
}

/// Lets a caller's task cancel a call whose stream the loop opens later.
final class CallHandle: Sendable {
    private let state = Mutex<(id: UInt32?, cancelled: Bool)>((nil, false))

    var id: UInt32? { state.withLock { $0.id } }

    func assign(_ id: UInt32) -> Bool {
        state.withLock { s in
            s.id = id
            return !s.cancelled
        }
    }

    /// Returns the stream id to cancel, if the call has one yet.
    func cancel() -> UInt32? {
        state.withLock { s in
            s.cancelled = true
            return s.id
        }
    }
}

/// Carries a loop-confined object through a continuation back to the loop.
struct LoopBound<T>: @unchecked Sendable {
    // @unchecked: only dereferenced inside `loop.execute` closures.
    let value: T
}
