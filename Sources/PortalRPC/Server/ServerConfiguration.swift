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
    /// A connection with no open call for this long is sent GOAWAY and closed.
    public var idleTimeout: Duration = .seconds(300)
    /// After this long without hearing from a client, the server sends a PING; nil disables.
    public var keepaliveInterval: Duration? = .seconds(120)
    /// A client that does not answer a keepalive PING within this time is dropped.
    public var keepaliveTimeout: Duration = .seconds(20)
    /// A connection must finish its preface and SETTINGS within this time.
    public var handshakeTimeout: Duration = .seconds(10)
    /// Bytes queued for a client that does not read before the connection is dropped.
    public var maxOutboundBuffer = 64 * 1024 * 1024
    public var maxConnections = 10_000

    public init() {}
}
