#if canImport(Glibc)
import Glibc
#endif

/// What the client remembers between runs, one JSON file per profile:
/// `$XDG_CONFIG_HOME/portal-client/<name>.json` (`~/.config/…` without it), mode 0600 in a
/// 0700 folder. It holds the session token, so it is written atomically and never group- or
/// world-readable.
struct Profile: Equatable, Sendable {
    var server: String?
    var token: String?
    /// `ROLE_CITIZEN`, `ROLE_DEPUTY_COMMISSIONER`, …
    var role: String?
    var subjectId: String?
    var expiresAt: String?
    /// The last message sequence `watch` printed; the next `watch` resumes after it.
    var lastSequence: UInt64?
    /// The citizen id `register` returned, for `verify` and `resend-code`.
    var pendingCitizenId: String?

    var json: JSONValue {
        var members: [(String, JSONValue)] = []
        func add(_ key: String, _ value: String?) { if let value { members.append((key, .string(value))) } }
        add("server", server)
        add("token", token)
        add("role", role)
        add("subjectId", subjectId)
        add("expiresAt", expiresAt)
        add("lastSequence", lastSequence.map(String.init))
        add("pendingCitizenId", pendingCitizenId)
        return .object(members)
    }

    init() {}

    init(json: JSONValue) {
        server = json["server"]?.stringValue
        token = json["token"]?.stringValue
        role = json["role"]?.stringValue
        subjectId = json["subjectId"]?.stringValue
        expiresAt = json["expiresAt"]?.stringValue
        lastSequence = json["lastSequence"]?.stringValue.flatMap { UInt64($0) }
        pendingCitizenId = json["pendingCitizenId"]?.stringValue
    }

    var isStaff: Bool { role != nil && role != "ROLE_CITIZEN" }

    /// Forgets the session (and what belonged to the account), keeping the server.
    mutating func signOut() {
        token = nil; role = nil; subjectId = nil; expiresAt = nil; lastSequence = nil
    }
}

/// A failure outside any call: a file or the profile cannot be read or written. Exit status 74.
struct LocalError: Error, CustomStringConvertible {
    var description: String
}

struct ProfileStore {
    let directory: String

    /// Where profiles live given the environment.
    static func directory(environment: (String) -> String?) throws(LocalError) -> String {
        if let xdg = environment("XDG_CONFIG_HOME"), xdg.hasPrefix("/") { return xdg + "/portal-client" }
        guard let home = environment("HOME"), !home.isEmpty else {
            throw LocalError(description: "neither XDG_CONFIG_HOME nor HOME is set; cannot keep profiles")
        }
        return home + "/.config/portal-client"
    }

    /// Profile names become file names: letters, digits, `.`, `_`, `-`, not starting with `.`.
    static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    func path(_ name: String) -> String { "\(directory)/\(name).json" }

    /// The saved profile, or an empty one when there is none yet.
    func load(_ name: String) throws(LocalError) -> Profile {
        let file = path(name)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return Profile() }
            throw LocalError(description: "cannot read \(file): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 { if errno == EINTR { continue }; throw LocalError(description: "cannot read \(file): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += buffer[0..<n]
            guard bytes.count < 1 << 20 else { throw LocalError(description: "\(file) is too large to be a profile") }
        }
        do {
            return Profile(json: try JSONValue.parse(String(decoding: bytes, as: UTF8.self)))
        } catch {
            throw LocalError(description: "\(file) is not a valid profile (\(error)); remove it or fix it")
        }
    }

    /// Writes atomically: a 0600 temporary file in the same folder, fsynced, then renamed.
    func save(_ profile: Profile, as name: String) throws(LocalError) {
        try makeDirectory(directory)
        let file = path(name)
        let temporary = "\(file).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw LocalError(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var ok = fchmod(fd, 0o600) == 0
        let bytes = Array((profile.json.serialized() + "\n").utf8)
        var offset = 0
        while ok && offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; ok = false; break }
            offset += n
        }
        ok = ok && fsync(fd) == 0
        let failure = errno
        close(fd)
        guard ok, rename(temporary, file) == 0 else {
            unlink(temporary)
            throw LocalError(description: "cannot write \(file): \(String(cString: strerror(ok ? errno : failure)))")
        }
    }

    /// `mkdir -p` with mode 0700 for the folders it creates.
    private func makeDirectory(_ path: String) throws(LocalError) {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw LocalError(description: "cannot create \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }
}
