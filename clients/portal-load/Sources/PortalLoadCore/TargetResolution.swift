#if canImport(Glibc)
import Glibc
#endif

/// Resolves `--target` and enforces the loopback rule: every address the host name resolves
/// to must be loopback (127.0.0.0/8, ::1, or ::ffff:127.x.y.z), unless `--allow-remote`.
public enum TargetResolution {
    public struct Resolved: Sendable, Equatable {
        /// Numeric host to connect to (the first address the resolver returned).
        public var host: String
        public var port: Int
        /// Every address the name resolved to.
        public var addresses: [String]
        public var allLoopback: Bool
    }

    /// Splits `host:port` / `[v6]:port`.
    public static func split(_ text: String) throws(UsageError) -> (host: String, port: Int) {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw UsageError("--target: missing ']' in \(text)") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw UsageError("--target must be HOST:PORT, e.g. 127.0.0.1:50051 or [::1]:50051") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else {
                throw UsageError("--target must be HOST:PORT, e.g. 127.0.0.1:50051 or [::1]:50051")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw UsageError("--target: empty host") }
        guard let port = Int(portText), (1...65535).contains(port) else { throw UsageError("--target: port must be 1-65535") }
        return (String(host), port)
    }

    /// Whether a numeric address is loopback.
    public static func isLoopback(_ numeric: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, numeric, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, numeric, &v6) == 1 else { return false }
        let b = withUnsafeBytes(of: &v6) { Array($0) }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }          // ::1
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {     // ::ffff:a.b.c.d
            return b[12] == 127
        }
        return false
    }

    /// Resolves `host` (names through getaddrinfo) to numeric addresses, in resolver order.
    public static func resolve(_ host: String) throws(UsageError) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let first = list else {
            throw UsageError("--target: cannot resolve '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            if ai.pointee.ai_family == AF_INET, let sa = ai.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                    var addr = a.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                }
            } else if ai.pointee.ai_family == AF_INET6, let sa = ai.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    var addr = a.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                }
            }
            let s = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !s.isEmpty && !out.contains(s) { out.append(s) }
            p = ai.pointee.ai_next
        }
        guard !out.isEmpty else { throw UsageError("--target: '\(host)' resolved to no IPv4/IPv6 address") }
        return out
    }

    /// Resolves `--target` and applies the loopback rule.
    public static func check(_ target: String, allowRemote: Bool) throws(UsageError) -> Resolved {
        let (host, port) = try split(target)
        let addresses = try resolve(host)
        let loopback = addresses.allSatisfy(isLoopback)
        if !loopback && !allowRemote {
            let remote = addresses.filter { !isLoopback($0) }
            throw UsageError("""
                refusing non-loopback target \(target) (resolves to \(remote.joined(separator: ", "))): \
                portal-load creates accounts and complaints and can overload a server; \
                pass --allow-remote if you mean it
                """)
        }
        return Resolved(host: addresses[0], port: port, addresses: addresses, allLoopback: loopback)
    }
}
