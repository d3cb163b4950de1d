/// Files the gateway serves with GET and HEAD: an immutable table of paths to bodies, built at
/// start-up (the dashboards' HTML, CSS and JavaScript). Nothing is read from disk per request,
/// so no request path can reach the file system.
public struct HTTPStaticFiles: Sendable {
    public struct File: Sendable {
        public var contentType: String
        public var body: [UInt8]
        /// A strong validator: FNV-1a of the body, quoted.
        public var etag: String

        public init(contentType: String, body: [UInt8]) {
            self.contentType = contentType
            self.body = body
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in body { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
            etag = "\"" + String(hash, radix: 16) + "-" + String(body.count, radix: 16) + "\""
        }
    }

    private(set) var files: [String: File] = [:]

    public init() {}

    /// Adds `body` at `path` (e.g. `/dashboard/index.html`); an `index.html` also answers its
    /// folder's path (`/dashboard/`). The content type comes from the extension.
    public mutating func add(path: String, body: [UInt8]) {
        let file = File(contentType: Self.contentType(path), body: body)
        files[path] = file
        if path.hasSuffix("/index.html") { files[String(path.dropLast("index.html".count))] = file }
    }

    public var paths: [String] { files.keys.sorted() }

    public func file(at path: String) -> File? { files[path] }

    /// Whether `path + "/"` is a folder with an index (then `path` redirects there).
    func isFolder(_ path: String) -> Bool { !path.hasSuffix("/") && files[path + "/"] != nil }

    static func contentType(_ path: String) -> String {
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt": return "text/plain; charset=utf-8"
        case "woff2": return "font/woff2"
        default: return "application/octet-stream"
        }
    }

    /// The response to GET or HEAD of `path`, or nil when there is no such file.
    func response(path: String, head: Bool, ifNoneMatch: String?, csp: String) -> HTTPResponse? {
        if isFolder(path) {
            return HTTPResponse(status: 308, headers: [("Location", path + "/"), ("Cache-Control", "no-store")])
        }
        guard let file = files[path] else { return nil }
        var headers: [(name: String, value: String)] = [("Content-Type", file.contentType), ("ETag", file.etag), ("Cache-Control", "no-cache")]
        if file.contentType.hasPrefix("text/html") { headers.append(("Content-Security-Policy", csp)) }
        if let tags = ifNoneMatch, tags.split(separator: ",").contains(where: { $0.trimmingSpaces() == file.etag || $0.trimmingSpaces() == "*" }) {
            var r = HTTPResponse(status: 304, headers: headers)
            r.omitBody = true
            return r
        }
        var r = HTTPResponse(status: 200, headers: headers, body: file.body)
        r.omitBody = head
        return r
    }
}
