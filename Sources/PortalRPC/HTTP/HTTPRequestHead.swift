/// A parsed HTTP/1.x request line and header section (RFC 9112), as `HTTPRequestParser`
/// accepts it: origin-form target, header names lower-cased, values trimmed.
public struct HTTPRequestHead: Hashable, Sendable {
    public struct Header: Hashable, Sendable {
        /// Lower-case.
        public var name: String
        public var value: String
    }

    public var method: String
    /// The request target as sent (`/path?query`).
    public var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: [Header]
    /// Declared body length (0 without a Content-Length header).
    public var contentLength: Int
    /// Whether the connection stays open after the response (HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`).
    public var keepAlive: Bool
    /// `Expect: 100-continue`: the client waits for an interim response before the body.
    public var expectsContinue: Bool

    /// The target's path, without the query.
    public var path: String {
        guard let q = target.firstIndex(of: "?") else { return target }
        return String(target[..<q])
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.name == n }?.value
    }

    /// Every value of header `name`, in order.
    public func values(_ name: String) -> [String] {
        let n = name.lowercased()
        return headers.filter { $0.name == n }.map(\.value)
    }
}

/// Why a request head was refused: the status to answer with (the connection is closed after
/// it, since the rest of the byte stream can no longer be trusted) and a message for the body.
public struct HTTPRequestError: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status) \(HTTPResponse.reason(status)): \(message)" }
}
