import FuzzCommon
import PortalRPC

/// libFuzzer entry point: the input is the start of an HTTP/1.1 byte stream, as the gateway's
/// connection buffers it. `HTTPRequestParser.scan` runs on every prefix, the way the connection
/// re-scans its growing buffer; a complete head is parsed. Rejecting input is fine. The bugs
/// are crashes and answers that depend on how the bytes were split:
///
/// - a prefix is never complete where the whole input is not, and once the head is complete,
///   every longer prefix finds the same bounds;
/// - a prefix never fails where the whole input does not (no error for a request that only
///   lacks bytes, and the size limit does not depend on where a read ended);
/// - a parsed head is well formed: a token method, an origin-form target of visible ASCII
///   whose path is its prefix, lower-case token header names, a length in range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    // Small, so inputs of a few hundred bytes reach the 431 boundary.
    let limit = 200
    let whole = HTTPRequestParser.scan(input, limit: limit)
    for n in 0..<count {
        let part = HTTPRequestParser.scan(UnsafeRawBufferPointer(rebasing: input[..<n]), limit: limit)
        switch (part, whole) {
        case (.complete(let s1, let e1, let b1), .complete(let s2, let e2, let b2)):
            guard s1 == s2, e1 == e2, b1 == b2 else { fatalError("prefix \(n) ends the head elsewhere: \(fuzzHex(input))") }
        case (.complete, _):
            fatalError("prefix \(n) is complete, the whole input is not: \(fuzzHex(input))")
        case (.failed, .incomplete), (.failed, .complete):
            fatalError("prefix \(n) fails, the whole input does not: \(fuzzHex(input))")
        default:
            break
        }
    }
    guard case .complete(let skip, let end, _) = whole else { return 0 }
    guard let head = try? HTTPRequestParser.parse(UnsafeRawBufferPointer(rebasing: input[skip..<end])) else { return 0 }
    guard !head.method.isEmpty, head.method.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }) else {
        fatalError("bad method \(head.method): \(fuzzHex(input))")
    }
    guard head.target.hasPrefix("/"), head.target.utf8.allSatisfy({ $0 > 32 && $0 < 127 }), head.target.hasPrefix(head.path) else {
        fatalError("bad target \(head.target): \(fuzzHex(input))")
    }
    for h in head.headers where h.name.isEmpty || h.name != h.name.lowercased() || h.name.utf8.contains(where: { $0 <= 32 || $0 == UInt8(ascii: ":") }) {
        fatalError("bad header name \(h.name): \(fuzzHex(input))")
    }
    guard head.contentLength >= 0, head.contentLength < 1_000_000_000_000_000, head.minorVersion <= 1 else {
        fatalError("bad length or version: \(fuzzHex(input))")
    }
    return 0
}

@main
enum FuzzHTTPRequestMain {
    static func main() { fuzzMain(fuzzHTTPRequest) }
}
