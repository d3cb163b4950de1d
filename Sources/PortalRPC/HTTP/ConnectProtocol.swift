/// The Connect protocol's unary calls (https://connectrpc.com/docs/protocol), as the HTTP
/// gateway speaks them: `POST /package.Service/Method`, the request message as the body in
/// `application/proto` or `application/json`, the response message with 200, or an error as
/// `{"code": "...", "message": "..."}` with the HTTP status below.
public enum ConnectProtocol {
    /// The body codecs a unary call may use.
    public enum Codec: String, Sendable {
        case proto = "application/proto"
        case json = "application/json"

        /// From a Content-Type value: the media type (case-insensitive), and for JSON a
        /// charset parameter, if any, of UTF-8.
        public init?(contentType: String) {
            let parts = contentType.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingSpaces().lowercased() }
            switch parts[0] {
            case "application/proto": self = .proto
            case "application/json": self = .json
            default: return nil
            }
            for parameter in parts.dropFirst() where parameter.hasPrefix("charset=") {
                let charset = parameter.dropFirst("charset=".count).replacingQuotes()
                guard self == .json, charset == "utf-8" || charset == "utf8" else { return nil }
            }
        }
    }

    /// Connect's name of a status code (`invalid_argument`; `canceled` with one l).
    public static func codeName(_ code: Status.Code) -> String {
        if code == .cancelled { return "canceled" }
        if code == .internalError { return "internal" }
        return code.description.lowercased()
    }

    /// The HTTP status of an error code (Connect's table, as amended by its RFC 003).
    public static func httpStatus(_ code: Status.Code) -> Int {
        switch code {
        case .ok: return 200
        case .cancelled: return 499
        case .invalidArgument, .failedPrecondition, .outOfRange: return 400
        case .deadlineExceeded: return 504
        case .notFound: return 404
        case .alreadyExists, .aborted: return 409
        case .permissionDenied: return 403
        case .resourceExhausted: return 429
        case .unimplemented: return 501
        case .unavailable: return 503
        case .unauthenticated: return 401
        default: return 500  // unknown, internal, data_loss
        }
    }

    /// An error response: the mapped HTTP status and the JSON error body.
    public static func errorResponse(_ status: Status) -> HTTPResponse {
        var body = "{\"code\":" + jsonQuoted(codeName(status.code))
        if !status.message.isEmpty { body += ",\"message\":" + jsonQuoted(status.message) }
        body += "}"
        return HTTPResponse(status: httpStatus(status.code),
                            headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                            body: Array(body.utf8))
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped; `<`, `>`
    /// and `&` too, so the text is inert even if a browser were to render it as HTML.
    public static func jsonQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(scalar.value)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + hex4(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(v >> 12 & 15)], digits[Int(v >> 8 & 15)], digits[Int(v >> 4 & 15)], digits[Int(v & 15)]])
    }
}

extension Substring {
    /// Without one pair of surrounding double quotes.
    func replacingQuotes() -> String {
        if count >= 2, first == "\"", last == "\"" { return String(dropFirst().dropLast()) }
        return String(self)
    }
}
