import PortalModel

/// The server's state for one call, owned by its connection's event loop.
///
/// Loop-confined: its stored properties are `@exclusivity(unchecked)`, as `EventLoop` explains.
final class ServerStream {
    enum Outbound {
        case message([UInt8], CheckedContinuation<Void, any Error>?)
        case status(Status)
    }

    let id: UInt32
    /// The call's id in logs (bound to `RequestID.current` while its handler runs).
    let requestID: RequestID
    let route: RPCRouter.Route
    let context: RPCServerContext
    @exclusivity(unchecked) var task: Task<Void, Never>?
    /// Unary calls buffer their one request here until the client's half-close.
    @exclusivity(unchecked) var unaryRequest: [UInt8]?
    /// Connection credit for the buffered unary request, granted back when the handler takes
    /// it (or the call ends): a client cannot park requests without spending its window.
    @exclusivity(unchecked) var heldCredit = 0
    /// Bytes of the CALL payload (method and metadata) this call holds.
    @exclusivity(unchecked) var callBytes = 0
    @exclusivity(unchecked) var inbound: InboundQueue?
    @exclusivity(unchecked) var halfClosed = false
    /// Credit the client may still use on this stream, and credit consumed but not yet granted back.
    @exclusivity(unchecked) var receiveWindow: Int
    @exclusivity(unchecked) var credit: CreditLedger
    /// Credit we may still use sending to the client (may go negative by one message).
    @exclusivity(unchecked) var sendWindow: Int
    /// Frames waiting for send credit, in order; a status always goes last.
    @exclusivity(unchecked) var blocked: [Outbound] = []
    @exclusivity(unchecked) var deadlineTimer: TimerQueue.ID?
    @exclusivity(unchecked) var statusSent = false
    /// When the CALL arrived (the latency histogram measures from here to the STATUS).
    let started = ContinuousClock.now

    init(id: UInt32, requestID: RequestID, route: RPCRouter.Route, context: RPCServerContext, receiveWindow: Int, sendWindow: Int) {
        self.id = id
        self.requestID = requestID
        self.route = route
        self.context = context
        self.receiveWindow = receiveWindow
        self.credit = CreditLedger(window: receiveWindow)
        self.sendWindow = sendWindow
    }

    var isUnary: Bool {
        if case .unary = route.handler { return true }
        return false
    }
}
