/// Limits and timeouts of the `HTTPGateway`. Request and message limits follow the binary
/// server's (`ServerConfiguration`), so a call is refused the same way on either face.
public struct HTTPGatewayConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (read it back from `HTTPGateway.localAddress`).
    public var port = 8080
    /// The request line and headers together; larger: 431.
    public var maxHeadSize = 16 * 1024
    public var maxHeaders = 100
    /// A request body (one message); larger: 413, refused before any of it is buffered. nil
    /// takes the binary server's `maxFrameSize`.
    public var maxBodySize: Int? = nil
    /// From a request's first byte until its head is complete; then 408 and close (slowloris).
    public var headTimeout: Duration = .seconds(10)
    /// From a request's first byte until its body is complete (a 4 MiB body at 140 KiB/s).
    public var bodyTimeout: Duration = .seconds(30)
    /// A kept-alive connection with no request for this long is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// With a response queued, a client whose socket takes not one byte for this long is
    /// dropped.
    public var writeStallTimeout: Duration = .seconds(30)
    /// Connections open at once; more are closed as they are accepted.
    public var maxConnections = 1024
    /// `Content-Security-Policy` of static pages (no inline script or style).
    public var contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    public init() {}
}
