import PortalRPC
import Testing

/// The gateway's request-head parser: what it accepts, and the status each refusal gets.
@Suite struct HTTPRequestParserTests {
    static func scan(_ text: String, limit: Int = 16 * 1024) -> HTTPRequestParser.Scan {
        Array(text.utf8).withUnsafeBytes { HTTPRequestParser.scan($0, limit: limit) }
    }

    /// The head of `text` parsed, or the status it was refused with.
    static func parse(_ text: String, maxHeaders: Int = 100) -> Result<HTTPRequestHead, HTTPRequestError> {
        let bytes = Array(text.utf8)
        switch bytes.withUnsafeBytes({ HTTPRequestParser.scan($0, limit: 16 * 1024) }) {
        case .complete(let skip, let end, _):
            return bytes.withUnsafeBytes { raw in
                Result { () throws(HTTPRequestError) in
                    try HTTPRequestParser.parse(UnsafeRawBufferPointer(rebasing: raw[skip..<end]), maxHeaders: maxHeaders)
                }
            }
        case .failed(let e): return .failure(e)
        case .incomplete: return .failure(HTTPRequestError(0, "incomplete"))
        }
    }

    static func status(_ text: String) -> Int? {
        if case .failure(let e) = parse(text) { return e.status }
        return nil
    }

    @Test func aWellFormedPostIsParsed() throws {
        let head = try Self.parse("POST /portal.v1.CitizenService/Login?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            + "Content-Length: 12\r\nAuthorization:  Bearer abc \r\n\r\n{\"a\":1}").get()
        #expect(head.method == "POST")
        #expect(head.path == "/portal.v1.CitizenService/Login")
        #expect(head.target == "/portal.v1.CitizenService/Login?x=1")
        #expect(head.contentLength == 12)
        #expect(head.header("AUTHORIZATION") == "Bearer abc")
        #expect(head.keepAlive)
        #expect(!head.expectsContinue)
    }

    @Test func theBodyStartsAfterTheBlankLineAndLeadingEmptyLinesAreSkipped() {
        let text = "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nBODY"
        guard case .complete(let skip, let end, let body) = Self.scan(text) else { Issue.record("not complete"); return }
        #expect(skip == 2)
        #expect(Array(text.utf8)[body...] == Array("BODY".utf8)[...])
        #expect(end == body - 4)
        #expect(Self.scan("GET / HTTP/1.1\r\nHost: a\r\n") == .incomplete)
    }

    @Test func keepAliveFollowsTheVersionAndConnectionHeader() throws {
        #expect(try !Self.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").get().keepAlive)
        #expect(try !Self.parse("GET / HTTP/1.0\r\n\r\n").get().keepAlive)
        #expect(try Self.parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").get().keepAlive)
        #expect(try Self.parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n").get().expectsContinue)
    }

    @Test func smugglingShapesAreRefused() {
        // Bare LF line ends, folded lines, space before the colon, conflicting lengths,
        // Transfer-Encoding, a length that is not digits: each read differently by some proxy.
        #expect(Self.status("GET / HTTP/1.1\nHost: a\n\n") == 400)
        #expect(Self.status("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n") == 400)
        #expect(Self.status("GET / HTTP/1.1\r\nHost : a\r\n\r\n") == 400)
        #expect(Self.status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n") == 400)
        #expect(Self.status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n") == 400)
        #expect(Self.status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n") == 400)
        #expect(Self.status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") == 501)
        #expect(Self.status("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n") == 400)
        #expect(Self.status("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n") == 400)
    }

    @Test func requestLinesAndHostAreChecked() {
        #expect(Self.status("GET / HTTP/1.1\r\n\r\n") == 400)  // no Host
        #expect(Self.status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400)
        #expect(Self.status("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n") == 400)  // absolute-form
        #expect(Self.status("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(Self.status("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(Self.status("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == 505)
        #expect(Self.status("GET / HTTPS/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(Self.status("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(Self.status("POST / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n") == 417)
    }

    /// Our binary protocol's preface and a TLS hello are refused from their first bytes,
    /// before any head could be complete, so a client at the wrong port learns it at once.
    @Test func otherProtocolsFailAtTheFirstControlCharacter() {
        let controls = HTTPRequestError(400, "the request head has control characters; is this an HTTP client?")
        let preface: [UInt8] = [0x50, 0x52, 0x50, 0x43, 0x0D, 0x0A, 0x1A, 0x01]
        #expect(preface.withUnsafeBytes { HTTPRequestParser.scan($0, limit: 16 * 1024) } == .failed(controls))
        #expect(Array(preface.prefix(6)).withUnsafeBytes { HTTPRequestParser.scan($0, limit: 16 * 1024) } == .incomplete)
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00]
        #expect(hello.withUnsafeBytes { HTTPRequestParser.scan($0, limit: 16 * 1024) } == .failed(controls))
        #expect(Self.scan("GET / HTTP/1.1\r\nHost: a\u{7F}") == .failed(controls))
        // A tab may stand in a header value, and bytes beyond ASCII are for `parse` to judge.
        #expect(Self.scan("GET / HTTP/1.1\r\nHost: a\r\nX: \tb\u{E9}") == .incomplete)
    }

    @Test func sizeLimitsGive431() {
        let many = (0..<101).map { "X-\($0): v\r\n" }.joined()
        #expect(Self.status("GET / HTTP/1.1\r\nHost: a\r\n" + many + "\r\n") == 431)
        let long = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 2000)
        #expect(Self.scan(long, limit: 1024) == .failed(HTTPRequestError(431, "the request head is larger than 1024 bytes")))
        #expect(Self.scan(String(long.prefix(900)), limit: 1024) == .incomplete)
        // A head of exactly the limit is accepted however the bytes arrive; one byte more is not.
        let exact = Array(("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 1024 - 28)).utf8)
        #expect(exact.count == 1024)
        let terminated = exact + Array("\r\n\r\n".utf8)
        for cut in 1020..<terminated.count {
            let scan = Array(terminated[..<cut]).withUnsafeBytes { HTTPRequestParser.scan($0, limit: 1024) }
            #expect(scan == .incomplete, "cut \(cut)")
        }
        #expect(terminated.withUnsafeBytes { HTTPRequestParser.scan($0, limit: 1024) } == .complete(skip: 0, headEnd: 1024, bodyStart: 1028))
        let over = exact + Array("b\r\n\r\n".utf8)
        #expect(over.withUnsafeBytes { HTTPRequestParser.scan($0, limit: 1024) }
            == .failed(HTTPRequestError(431, "the request head is larger than 1024 bytes")))
    }
}
