#if canImport(Glibc)
import Glibc
#endif
import CCrypt

/// Why a password could not be hashed (or a hashing request was not served).
public enum PasswordHasherError: Error, Sendable, Equatable, CustomStringConvertible {
    /// More than 511 bytes of UTF-8: libxcrypt's limit (CRYPT_MAX_PASSPHRASE_SIZE, with NUL).
    case passwordTooLong
    /// The password holds a NUL character, which C strings would silently truncate at.
    case passwordContainsNUL
    /// crypt_gensalt_rn refused to make a setting (should not happen with 32 random bytes).
    case saltGenerationFailed
    /// crypt_rn failed or returned a failure token.
    case hashingFailed
    /// The async API's queue is full; map to RESOURCE_EXHAUSTED / "try again".
    case overloaded
    /// The hasher is being torn down.
    case shutDown

    public var description: String {
        switch self {
        case .passwordTooLong: "password is too long to hash"
        case .passwordContainsNUL: "password contains a NUL character"
        case .saltGenerationFailed: "could not generate a password salt"
        case .hashingFailed: "password hashing failed"
        case .overloaded: "password hashing is overloaded; try again"
        case .shutDown: "password hasher is shut down"
        }
    }
}

/// yescrypt password hashing through libxcrypt (the same scheme as `/etc/shadow` on current
/// Debian and Fedora). Hashes look like `$y$j9T$<salt>$<hash>` and carry their own cost and
/// salt, so verification needs nothing else.
///
/// **Blocking.** Hashing and verifying each take tens of milliseconds of CPU and several MiB
/// of memory (that is the point). Never call the synchronous methods on an event loop thread
/// or from a Swift task on the cooperative pool: from async code use the `async` overloads,
/// which run the work on this hasher's own small thread pool (two threads by default) while
/// the calling task suspends. The queue in front of that pool is bounded; a full queue
/// throws `PasswordHasherError.overloaded` rather than letting login floods pile up.
///
/// **Timing-safe login.** When the account does not exist, call
/// `verifyOrSpendEqualTime(_:against: nil)`: it verifies against `dummyHash` and returns
/// false, so "no such user" costs the same time as "wrong password". `dummyHash` is itself a
/// yescrypt hash made on first use; `prepare()` makes it ahead, on the hasher's threads.
public final class PasswordHasher: Sendable {
    /// The method prefix: yescrypt.
    public static let methodPrefix = "$y$"
    /// Bytes of randomness in every salt.
    public static let saltEntropyBytes = 32
    /// libxcrypt's passphrase limit in UTF-8 bytes (CRYPT_MAX_PASSPHRASE_SIZE minus the NUL).
    public static let maximumPasswordBytes = Int(CRYPT_MAX_PASSPHRASE_SIZE) - 1

    /// The threads behind the async API (internal for tests).
    let pool: BlockingWorkerPool

    /// - Parameters:
    ///   - workerThreads: threads for the async API (each hash pins one core while it runs).
    ///   - maxQueuedRequests: async requests allowed to wait; more throw `.overloaded`.
    public init(workerThreads: Int = 2, maxQueuedRequests: Int = 128) {
        pool = BlockingWorkerPool(name: "password-hasher", threads: workerThreads, maxQueued: maxQueuedRequests)
    }

    deinit {
        pool.shutdown()
    }

    // MARK: Synchronous (blocking) API

    /// Hashes `password` with a fresh random salt at libxcrypt's default yescrypt cost.
    /// Blocks for tens of milliseconds: see the type's documentation.
    public func hash(_ password: String) throws(PasswordHasherError) -> String {
        try Self.checkHashable(password)
        let setting = try Self.makeSetting()
        guard let hashed = Self.crypt(password, setting: setting) else { throw .hashingFailed }
        return hashed
    }

    /// True when `password` matches `storedHash`. False for malformed, failure-token (`*…`)
    /// or legacy-method hashes, and for passwords that could never have been hashed.
    /// Compares in constant time. Blocks for tens of milliseconds.
    public func verify(_ password: String, against storedHash: String) -> Bool {
        guard Self.isAcceptableStoredHash(storedHash), (try? Self.checkHashable(password)) != nil,
              let candidate = Self.crypt(password, setting: storedHash)
        else { return false }
        return ConstantTime.equals(candidate, storedHash)
    }

    /// `verify(password, against: storedHash)` when there is a stored hash; otherwise spends
    /// the same time verifying against `dummyHash` and returns false. Blocks.
    public func verifyOrSpendEqualTime(_ password: String, against storedHash: String?) -> Bool {
        guard let storedHash else {
            _ = verify(password, against: Self.dummyHash)
            return false
        }
        return verify(password, against: storedHash)
    }

    /// True when `storedHash` should be replaced by `hash(password)` at the next successful
    /// login: it is not yescrypt, or uses other parameters than the current default.
    public func needsRehash(_ storedHash: String) -> Bool {
        !storedHash.hasPrefix(Self.currentParameterPrefix)
    }

    // MARK: Asynchronous API (runs on the hasher's own threads)

    /// `hash(_:)` on the hasher's threads. Also throws `.overloaded`, `.shutDown`, or
    /// `CancellationError` if the task is cancelled before the work starts.
    public func hash(_ password: String) async throws -> String {
        try await onPool { [self] () throws(PasswordHasherError) -> String in try self.hash(password) }
    }

    /// `verify(_:against:)` on the hasher's threads. Throws only `.overloaded`, `.shutDown`
    /// or `CancellationError`; a mismatch is `false`.
    public func verify(_ password: String, against storedHash: String) async throws -> Bool {
        try await onPool { [self] in self.verify(password, against: storedHash) }
    }

    /// `verifyOrSpendEqualTime(_:against:)` on the hasher's threads.
    public func verifyOrSpendEqualTime(_ password: String, against storedHash: String?) async throws -> Bool {
        try await onPool { [self] in self.verifyOrSpendEqualTime(password, against: storedHash) }
    }

    /// Makes `dummyHash` (one yescrypt hash, made once per process on first use) on the
    /// hasher's threads now, so that the first sign-in for an unknown account costs what every
    /// later one does instead of twice as much. Servers call it at start; the async API never
    /// needs it (it makes the dummy hash on the hasher's threads anyway).
    public func prepare() async throws {
        try await onPool { _ = Self.dummyHash }
    }

    private func onPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await pool.run(work)
        } catch let rejection as BlockingWorkerPool.Rejection {
            switch rejection {
            case .overloaded: throw PasswordHasherError.overloaded
            case .shutDown: throw PasswordHasherError.shutDown
            }
        }
    }

    // MARK: Dummy hash

    /// A yescrypt hash of a random password nobody knows, made once per process at the
    /// default cost; verifying against it takes as long as verifying a real hash.
    public static let dummyHash: String = {
        let password = SecureRandom.token(bytes: 24)
        guard let setting = try? makeSetting(), let hashed = crypt(password, setting: setting) else {
            fatalError("libxcrypt cannot make a yescrypt hash")
        }
        return hashed
    }()

    /// `$y$<params>$` of a fresh setting: hashes with another prefix need rehashing.
    private static let currentParameterPrefix: String = {
        guard let setting = try? makeSetting() else { fatalError("libxcrypt cannot make a yescrypt setting") }
        // "$y$j9T$salt": keep everything up to and including the third '$'.
        var dollars = 0
        var end = setting.startIndex
        for index in setting.indices where setting[index] == "$" {
            dollars += 1
            if dollars == 3 { end = setting.index(after: index); break }
        }
        return String(setting[..<end])
    }()

    // MARK: libxcrypt

    private static func checkHashable(_ password: String) throws(PasswordHasherError) {
        if password.utf8.count > maximumPasswordBytes { throw .passwordTooLong }
        if password.utf8.contains(0) { throw .passwordContainsNUL }
    }

    /// A stored hash worth handing to crypt_rn: not a failure token, no NUL, and a method
    /// libxcrypt considers current (crypt_checksalt rejects DES, MD5 and other legacy hashes).
    private static func isAcceptableStoredHash(_ storedHash: String) -> Bool {
        guard let first = storedHash.utf8.first, first != UInt8(ascii: "*"),
              storedHash.utf8.count < Int(CRYPT_OUTPUT_SIZE), !storedHash.utf8.contains(0)
        else { return false }
        return crypt_checksalt(storedHash) == CRYPT_SALT_OK
    }

    /// A new yescrypt setting (`$y$<params>$<salt>`) from 32 bytes of getrandom.
    private static func makeSetting() throws(PasswordHasherError) -> String {
        var random = SecureRandom.bytes(saltEntropyBytes)
        defer { random.withUnsafeMutableBytes { ccrypt_wipe($0.baseAddress, $0.count) } }
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let setting: String? = random.withUnsafeBytes { raw in
            output.withUnsafeMutableBufferPointer { out in
                guard crypt_gensalt_rn(methodPrefix, 0, raw.baseAddress!.assumingMemoryBound(to: CChar.self),
                                       Int32(raw.count), out.baseAddress, Int32(out.count)) != nil,
                      out[0] != CChar(UInt8(ascii: "*"))
                else { return nil }
                return String(cString: out.baseAddress!)
            }
        }
        guard let setting, setting.hasPrefix(methodPrefix) else { throw .saltGenerationFailed }
        return setting
    }

    /// crypt_rn with a heap-allocated, zeroed `struct crypt_data` (32 KiB: too large for a
    /// cooperative thread's stack), wiped before it is freed. Nil on failure.
    private static func crypt(_ password: String, setting: String) -> String? {
        let size = Int(ccrypt_data_size())
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            ccrypt_wipe(data, size)
            data.deallocate()
        }
        let hashed: String? = password.withCString { phrase in
            setting.withCString { setting in
                guard let output = crypt_rn(phrase, setting, data, Int32(size)) else { return nil }
                return String(cString: output)
            }
        }
        guard let hashed, let first = hashed.utf8.first, first != UInt8(ascii: "*") else { return nil }
        return hashed
    }
}
