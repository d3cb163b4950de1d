/// Options of an `RPCClient`.
public struct ClientConfiguration: Sendable {
    public var maxFrameSize = ProtocolConstants.defaultMaxFrameSize
    public var initialWindowSize = ProtocolConstants.defaultInitialWindowSize
    public var connectionWindowSize = ProtocolConstants.defaultConnectionWindowSize
    /// How long a connection attempt may take.
    public var connectTimeout: Duration = .seconds(5)
    /// Backoff between failed connection attempts: doubles from `initialBackoff` up to
    /// `maxBackoff`, with ±20 % jitter; reset by a successful connection.
    public var initialBackoff: Duration = .milliseconds(100)
    public var maxBackoff: Duration = .seconds(10)

    public init() {}
}
