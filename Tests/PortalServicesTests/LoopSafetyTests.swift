#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import PortalRPC
import PortalSecurity
import PortalServices
import Testing

/// Unary handlers run on their connection's event loop thread (see `EventLoop`), so nothing a
/// handler does may block that thread: password hashing runs on the hasher's threads and the
/// SMS outbox is written on a thread of its own, while the handler's task suspends.
@Suite struct LoopSafetyTests {
    /// Registration and sign-in hash with yescrypt (tens of milliseconds of CPU each). Run on an
    /// event loop as the server runs them, they must spend almost none of that loop thread's CPU
    /// time: measured with the thread's own CPU clock, so a loaded machine does not matter.
    @Test func registrationAndSignInHashOffTheEventLoop() async throws {
        let sms = MemorySMSGateway()
        try await withPortal(sms: sms) { p in
            let loop = try EventLoop(name: "handler-loop")
            loop.start()
            defer { loop.stop() }
            let handler = CitizenServiceHandler(core: p.app.core)
            // What one hash costs a thread here (the blocking API, on this thread).
            let oneHash = try Self.cpuTimeOfOneHash(p.app.core.hasher)

            let outcome = try await Task(executorPreference: loop) { () async throws -> (spent: Duration, onLoop: Bool, codes: [Status.Code?]) in
                let onLoopAtStart = loop.inLoop
                let start = threadCPUTime()
                var r = Portal_V1_RegisterRequest()
                r.name = "Ayesha Khan"; r.cnic = "17301-1000901-1"; r.mobile = "03001000901"
                r.districtCode = "PSH"; r.password = "Swat-valley-901x"
                _ = try await handler.register(request: r, context: Self.context(Portal_V1_CitizenService.Method.register))
                var codes: [Status.Code?] = []
                // An account that does not exist (the dummy hash), then the new, unverified one.
                for cnic in ["17301-1000902-2", r.cnic] {
                    var login = Portal_V1_CitizenLoginRequest()
                    login.identity = .cnic(cnic)
                    login.password = r.password
                    codes.append(await Self.code { try await handler.login(request: login, context: Self.context(Portal_V1_CitizenService.Method.login)) })
                }
                return (threadCPUTime() - start, onLoopAtStart && loop.inLoop, codes)
            }.value
            #expect(outcome.onLoop)
            #expect(outcome.codes == [.unauthenticated, .failedPrecondition])
            #expect(sms.messages.count == 1)
            // Three hashes were made (register, two sign-ins); the loop thread paid for none.
            #expect(outcome.spent < oneHash / 4, "the loop thread spent \(outcome.spent) of CPU; one hash costs \(oneHash)")
        }
    }

    /// The default SMS gateway writes to `sms-outbox.log` on a thread of its own. Here that file
    /// is a FIFO nobody reads yet, so opening it for writing blocks. While a registration waits
    /// for it, the server's only event loop still answers other calls on the same connection;
    /// once the FIFO is read, the registration completes with its SMS written.
    @Test func aStuckSMSOutboxDoesNotHoldUpTheEventLoop() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sms-fifo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/sms-outbox.log"
        #expect(mkfifo(fifo, 0o600) == 0)
        let gateway = SignallingGateway(OutboxSMSGateway(path: fifo))
        try await withPortal(sms: gateway) { p in
            var r = Portal_V1_RegisterRequest()
            r.name = "Bilal Ahmad"; r.cnic = "17301-1000903-3"; r.mobile = "03001000903"
            r.districtCode = "PSH"; r.password = "Swat-valley-903x"
            let registration = Task { [r] in try await p.citizen.register(r) }
            // The handler has hashed, written the store and is sending the SMS (on the loop).
            #expect(await gateway.sendStarted(within: .seconds(60)))

            // The loop is free: a call on the same connection is answered meanwhile.
            do {
                let categories = try await p.citizen.listCategories(.init(), options: RPCCallOptions(timeout: .seconds(60)))
                #expect(!categories.categories.isEmpty)
            } catch {
                Issue.record("the loop did not answer while the SMS outbox was stuck: \(error)")
            }

            // Reading the FIFO lets the writer through (a loop stuck opening it, too, or the
            // server could not stop); the registration then completes.
            let written = try await Self.readLine(fifo, within: .seconds(60))
            #expect(written.contains("\t+923001000903\tCitizen Portal verification code: "))
            let registered = try await registration.value
            #expect(!registered.citizenId.isEmpty)
        }
    }

    // MARK: Helpers

    /// Synchronous, so it gets the blocking `hash` and stays on one thread throughout.
    static func cpuTimeOfOneHash(_ hasher: PasswordHasher) throws -> Duration {
        let before = threadCPUTime()
        _ = try hasher.hash("Reference-password-1")
        return threadCPUTime() - before
    }

    static func context(_ method: MethodDescriptor) -> RPCServerContext {
        RPCServerContext(method: method, metadata: [:], deadline: nil, peer: "127.0.0.1:40000")
    }

    static func code(_ call: () async throws -> some Any) async -> Status.Code? {
        do {
            _ = try await call()
            return nil
        } catch {
            return RPCError(mapping: error).code
        }
    }

    /// Opens the FIFO for reading (which releases a writer blocked opening it) and collects
    /// what arrives until a whole line is there. Never blocks: the descriptor is non-blocking.
    static func readLine(_ path: String, within limit: Duration) async throws -> String {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(fd >= 0, "cannot open the FIFO: errno \(errno)")
        defer { close(fd) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + limit
        while !received.contains(UInt8(ascii: "\n")) && ContinuousClock.now < deadline {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                received += buffer[..<n]
            } else {
                try await Task.sleep(for: .milliseconds(5))  // nothing yet (EAGAIN), or no writer yet (0)
            }
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// The CPU time the calling thread has used.
func threadCPUTime() -> Duration {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return .seconds(t.tv_sec) + .nanoseconds(t.tv_nsec)
}

/// Passes SMS on to another gateway, and tells the test when a send has begun.
final class SignallingGateway: SMSGateway {
    private let inner: any SMSGateway
    private let started: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)

    init(_ inner: any SMSGateway) {
        self.inner = inner
        started = AsyncStream<Void>.makeStream()
    }

    func send(to mobile: String, text: String) async throws {
        started.continuation.yield()
        try await inner.send(to: mobile, text: text)
    }

    /// True once a send has begun, false if none did within `limit`.
    func sendStarted(within limit: Duration) async -> Bool {
        let stream = started.stream
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in stream { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
