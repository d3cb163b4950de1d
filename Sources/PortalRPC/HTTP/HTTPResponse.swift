/// An HTTP/1.1 response the gateway writes: status, headers and a body of known length.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Close the connection once this is written (errors that leave the stream untrusted).
    public var closeConnection = false
    /// Write the head only (a HEAD request, a 304): Content-Length still describes `body`.
    public var omitBody = false

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Headers every gateway response carries: no MIME sniffing, no framing by other sites,
    /// no referrer leaking a complaint code in a URL.
    static let standardHeaders: [(name: String, value: String)] = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
    ]

    /// A plain-text response (protocol-level errors: 400, 404, 408, 413, 431...).
    static func text(_ status: Int, _ message: String, close: Bool = false) -> HTTPResponse {
        var r = HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")],
                             body: Array((message + "\n").utf8))
        r.closeConnection = close
        return r
    }

    /// The bytes on the wire: status line, headers (ours, then Content-Length, Connection and
    /// the standard ones), blank line, body.
    func serialized(keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if status >= 200 && status != 204 && status != 304 { head += "Content-Length: \(body.count)\r\n" }
        head += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        for (name, value) in Self.standardHeaders { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var out = Array(head.utf8)
        if !omitBody { out += body }
        return out
    }

    /// The reason phrase for the statuses the gateway sends.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 499: return "Client Closed Request"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}
