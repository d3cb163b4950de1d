/// A strict HTTP/1.x request-head parser (RFC 9112). Strict because a gateway in front of
/// citizens' data must never read a request differently from a proxy before it (request
/// smuggling): lines end in CRLF only, no obsolete line folding, no whitespace before a
/// header's colon, exactly one Host on HTTP/1.1, one Content-Length of digits only, and no
/// Transfer-Encoding (every client we serve sends a length).
public enum HTTPRequestParser {
    public enum Scan: Equatable {
        /// More bytes are needed.
        case incomplete
        /// The head is `buffer[skip..<headEnd]`; the body starts at `bodyStart`.
        case complete(skip: Int, headEnd: Int, bodyStart: Int)
        case failed(HTTPRequestError)
    }

    /// Looks for the end of a request head in `buffer` without copying it. Empty lines before
    /// the request line are skipped (RFC 9112 §2.2). A bare LF or CR, or a control character
    /// other than tab, fails at once; a head longer than `limit` bytes fails with 431.
    public static func scan(_ buffer: UnsafeRawBufferPointer, limit: Int) -> Scan {
        var skip = 0
        while skip + 1 < buffer.count && buffer[skip] == 13 && buffer[skip + 1] == 10 { skip += 2 }
        if skip < buffer.count && buffer[skip] == 10 { return .failed(HTTPRequestError(400, "lines must end in CRLF")) }
        var i = skip
        let end = min(buffer.count, skip + limit + 4)
        while i < end {
            let byte = buffer[i]
            if byte == 10 {
                guard i > skip, buffer[i - 1] == 13 else { return .failed(HTTPRequestError(400, "lines must end in CRLF")) }
                if i - skip >= 3 && buffer[i - 2] == 10 && buffer[i - 3] == 13 {
                    return .complete(skip: skip, headEnd: i - 3, bodyStart: i + 1)
                }
            } else if byte == 13, i + 1 < buffer.count, buffer[i + 1] != 10 {
                return .failed(HTTPRequestError(400, "a CR must be followed by LF"))
            } else if (byte < 32 && byte != 9 && byte != 13) || byte == 127 {
                // No head can hold one (`parse` would refuse it), so a client speaking another
                // protocol (our binary preface, TLS) is told at once, not at the head timeout.
                return .failed(HTTPRequestError(400, "the request head has control characters; is this an HTTP client?"))
            }
            i += 1
        }
        // Only once the bytes that could still end a head of `limit` bytes have all arrived, so
        // the answer never depends on how the stream was split.
        if buffer.count - skip >= limit + 4 { return .failed(HTTPRequestError(431, "the request head is larger than \(limit) bytes")) }
        return .incomplete
    }

    /// Parses a head (request line and header lines, without the final blank line).
    public static func parse(_ head: UnsafeRawBufferPointer, maxHeaders: Int = 100) throws(HTTPRequestError) -> HTTPRequestHead {
        var lines: [UnsafeRawBufferPointer] = []
        var start = 0
        for i in 0..<head.count where head[i] == 10 {
            guard i > start, head[i - 1] == 13 else { throw HTTPRequestError(400, "lines must end in CRLF") }
            lines.append(UnsafeRawBufferPointer(rebasing: head[start..<(i - 1)]))
            start = i + 1
        }
        lines.append(UnsafeRawBufferPointer(rebasing: head[start...]))
        guard lines.count - 1 <= maxHeaders else {
            throw HTTPRequestError(431, "more than \(maxHeaders) header fields")
        }
        var request = try requestLine(lines[0])
        var contentLength: Int?
        var hosts = 0
        var connectionTokens: [String] = []
        for line in lines.dropFirst() {
            let header = try headerLine(line)
            switch header.name {
            case "content-length":
                guard !header.value.isEmpty, header.value.utf8.count <= 15, header.value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                      let n = Int(header.value) else {
                    throw HTTPRequestError(400, "Content-Length must be a decimal number of bytes")
                }
                guard contentLength == nil || contentLength == n else { throw HTTPRequestError(400, "conflicting Content-Length headers") }
                contentLength = n
            case "transfer-encoding":
                throw HTTPRequestError(501, "Transfer-Encoding is not supported; send the body with a Content-Length")
            case "host":
                hosts += 1
            case "connection":
                connectionTokens += header.value.split(separator: ",").map { $0.trimmingSpaces().lowercased() }
            case "expect":
                guard header.value.lowercased() == "100-continue" else {
                    throw HTTPRequestError(417, "the only expectation supported is 100-continue")
                }
                request.expectsContinue = true
            default:
                break
            }
            request.headers.append(header)
        }
        if request.minorVersion == 1 {
            guard hosts == 1 else { throw HTTPRequestError(400, hosts == 0 ? "HTTP/1.1 requires a Host header" : "more than one Host header") }
        } else {
            guard hosts <= 1 else { throw HTTPRequestError(400, "more than one Host header") }
        }
        request.contentLength = contentLength ?? 0
        request.keepAlive = request.minorVersion == 1
            ? !connectionTokens.contains("close")
            : connectionTokens.contains("keep-alive") && !connectionTokens.contains("close")
        return request
    }

    /// `METHOD SP origin-form SP HTTP/1.x`.
    static func requestLine(_ line: UnsafeRawBufferPointer) throws(HTTPRequestError) -> HTTPRequestHead {
        let parts = line.split(separator: 32, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw HTTPRequestError(400, "the request line must be METHOD SP TARGET SP VERSION") }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.allSatisfy(isTokenByte) else { throw HTTPRequestError(400, "the method is not a token") }
        guard target.first == UInt8(ascii: "/"), target.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw HTTPRequestError(400, "the request target must be an absolute path (origin-form) of visible ASCII")
        }
        guard version.count == 8, version.starts(with: Array("HTTP/".utf8)), version[version.startIndex + 6] == UInt8(ascii: "."),
              let major = digit(version[version.startIndex + 5]), let minor = digit(version[version.startIndex + 7]) else {
            throw HTTPRequestError(400, "the version must be HTTP/1.1 or HTTP/1.0")
        }
        guard major == 1, minor <= 1 else { throw HTTPRequestError(505, "only HTTP/1.1 and HTTP/1.0 are supported") }
        return HTTPRequestHead(method: String(decoding: method, as: UTF8.self), target: String(decoding: target, as: UTF8.self),
                               minorVersion: minor, headers: [], contentLength: 0, keepAlive: false, expectsContinue: false)
    }

    /// `name: OWS value OWS`, the name a token, the value visible characters, spaces and tabs
    /// (UTF-8 beyond ASCII is accepted if valid).
    static func headerLine(_ line: UnsafeRawBufferPointer) throws(HTTPRequestError) -> HTTPRequestHead.Header {
        guard let first = line.first else { throw HTTPRequestError(400, "empty header line") }
        guard first != 32 && first != 9 else { throw HTTPRequestError(400, "obsolete line folding is not accepted") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw HTTPRequestError(400, "a header line has no colon") }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            throw HTTPRequestError(400, "a header name is not a token (no spaces before the colon)")
        }
        var value = line[(colon + 1)...]
        while let f = value.first, f == 32 || f == 9 { value = value.dropFirst() }
        while let l = value.last, l == 32 || l == 9 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }),
              let text = String(validating: value, as: UTF8.self) else {
            throw HTTPRequestError(400, "header \(String(decoding: name, as: UTF8.self).lowercased()) has control characters or invalid UTF-8")
        }
        return .init(name: String(decoding: name, as: UTF8.self).lowercased(), value: text)
    }

    /// RFC 9110 tchar.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func digit(_ b: UInt8) -> Int? { b >= 48 && b <= 57 ? Int(b - 48) : nil }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
