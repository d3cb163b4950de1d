/// Limits and timeouts of an `RPCServer`. Defaults suit a public-facing server.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (read it back from `RPCServer.localAddress`).
    public var port = 50051
    /// Event loops; defaults to one per core.
    public var eventLoops = max(1, RPCServer.coreCount)
    public var maxFrameSize = ProtocolConstants.defaultMaxFrameSize
    public var maxConcurrentStreams = ProtocolConstants.defaultMaxConcurrentStreams
    public var initialWindowSize = ProtocolConstants.defaultInitialWindowSize
    public var connectionWindowSize = ProtocolConstants.defaultConnectionWindowSize
    public var maxMetadataSize = ProtocolConstants.defaultMaxMetadataSize
    /// The CALL payloads (method and metadata) the open calls of one connection may hold
    /// together; a CALL beyond it gets RESOURCE_EXHAUSTED. 1024 calls of 1 KiB, or 64 at the
    /// 16 KiB maximum: streams opened with maximal metadata and never finished cannot pin
    /// `maxConcurrentStreams` x `maxMetadataSize` (and 2-3 times that once decoded).
    public var maxConnectionMetadataSize = 1024 * 1024
    /// A connection with no open call for this long is sent GOAWAY and closed.
    public var idleTimeout: Duration = .seconds(300)
    /// After this long without hearing from a client, the server sends a PING; nil disables.
    public var keepaliveInterval: Duration? = .seconds(120)
    /// A client that does not answer a keepalive PING within this time is dropped.
    public var keepaliveTimeout: Duration = .seconds(20)
    /// A connection must finish its preface and SETTINGS within this time.
    public var handshakeTimeout: Duration = .seconds(10)
    /// After the handshake, a frame whose first bytes have arrived must be complete within
    /// this time, or the connection gets GOAWAY (UNAVAILABLE) and is closed: a client that
    /// sends a byte now and then (slowloris) cannot hold a connection and its buffer forever.
    /// A 4 MiB message must arrive at 140 KiB/s or more. nil disables.
    public var partialFrameTimeout: Duration? = .seconds(30)
    /// Bytes queued for a client that does not read before the connection is dropped.
    public var maxOutboundBuffer = 64 * 1024 * 1024
    /// While more than this many bytes wait for a client, the server stops reading its
    /// requests: a client that floods PINGs or calls without reading the answers cannot make
    /// the server queue output beyond this (flow-controlled responses are bounded by windows).
    public var readPauseThreshold = 1024 * 1024
    /// With output queued, a client whose socket accepts not one byte for this long is
    /// dropped (a reader that stopped). nil disables.
    public var writeStallTimeout: Duration? = .seconds(30)
    public var maxConnections = 10_000
    /// Admission control: unary handlers running at once, across the server. Beyond it a new
    /// call (of any shape) is refused at once with RESOURCE_EXHAUSTED "server overloaded", so
    /// overload sheds work instead of queueing it without bound. Streaming calls are checked
    /// when they start but do not hold a slot (watch streams live for hours); they are bounded
    /// by `maxConcurrentStreams` per connection and `maxConnections`. Health checks
    /// (`grpc.health.v1.Health`) are always answered and take no slot.
    public var maxInFlightCalls = 2048

    public init() {}
}
