import PortalModel
import Synchronization

/// In-process fan-out of committed changes to open watch streams. Publishers call it only
/// after their transaction committed, so a watcher never sees what the store might still roll
/// back. Citizen watchers get a bare "something new" signal and read their messages from the
/// store by sequence number, which is what makes reconnects lossless; queue watchers get the
/// event itself; dashboard watchers get the district that changed.
public final class UpdateHub: Sendable {
    public struct QueueNotice: Sendable {
        public var kind: Portal_V1_QueueEventKind
        public var complaint: Portal_V1_Complaint
        public var at: Int64
    }

    private struct State {
        var nextID: UInt64 = 0
        var citizens: [Int64: [UInt64: AsyncStream<Void>.Continuation]] = [:]
        var queues: [UInt64: AsyncStream<QueueNotice>.Continuation] = [:]
        var dashboards: [UInt64: AsyncStream<String>.Continuation] = [:]
        var sessions: [UInt64: (subject: Subject, tokenHash: [UInt8], end: @Sendable () -> Void)] = [:]
        /// Queue watchers cut off for falling behind.
        var overflowed: Set<UInt64> = []
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// A stream of wake-ups for one citizen's message box; ends when `cancel` runs or the hub
    /// closes. Coalesces: one pending wake-up is enough, however many messages arrived.
    public func watchCitizen(_ citizenID: Int64) -> (stream: AsyncStream<Void>, cancel: @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = register(continuation) { s, id in
            s.citizens[citizenID, default: [:]][id] = continuation
        }
        return (stream, { [weak self] in
            self?.state.withLock { s in
                s.citizens[citizenID]?[id] = nil
                if s.citizens[citizenID]?.isEmpty == true { s.citizens[citizenID] = nil }
            }
            continuation.finish()
        })
    }

    public func citizenMessagesChanged(_ citizenIDs: some Sequence<Int64>) {
        let targets = state.withLock { s in citizenIDs.flatMap { s.citizens[$0].map { Array($0.values) } ?? [] } }
        for c in targets { c.yield() }
    }

    /// Queue events; the subscriber filters by its own scope. Bounded: a watcher that falls
    /// `queueBacklog` events behind is cut off rather than silently losing events — its
    /// stream ends and `overflowed()` says why, so the call can tell the client to re-list.
    public func watchQueue() -> (stream: AsyncStream<QueueNotice>, cancel: @Sendable () -> Void, overflowed: @Sendable () -> Bool) {
        let (stream, continuation) = AsyncStream<QueueNotice>.makeStream(bufferingPolicy: .bufferingOldest(Self.queueBacklog))
        let id = register(continuation) { s, id in s.queues[id] = continuation }
        return (stream, { [weak self] in
            _ = self?.state.withLock { $0.queues.removeValue(forKey: id); $0.overflowed.remove(id) }
            continuation.finish()
        }, { [weak self] in self?.state.withLock { $0.overflowed.contains(id) } ?? false })
    }

    static let queueBacklog = 4096

    /// Queue watchers registered now (tests wait for a watch to be live: queue events are not
    /// replayed, so one published before the watch registered never reaches it).
    var queueWatcherCount: Int { state.withLock { $0.queues.count } }

    public func publishQueue(_ notices: [QueueNotice]) {
        guard !notices.isEmpty else { return }
        let targets = state.withLock { $0.queues }
        var behind: [UInt64] = []
        for (id, c) in targets {
            for n in notices {
                if case .dropped = c.yield(n) {
                    behind.append(id)
                    break
                }
            }
        }
        guard !behind.isEmpty else { return }
        let cut = state.withLock { s in
            behind.compactMap { id -> AsyncStream<QueueNotice>.Continuation? in
                s.overflowed.insert(id)
                return s.queues.removeValue(forKey: id)
            }
        }
        for c in cut { c.finish() }
    }

    /// District codes whose figures changed.
    public func watchDashboards() -> (stream: AsyncStream<String>, cancel: @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(64))
        let id = register(continuation) { s, id in s.dashboards[id] = continuation }
        return (stream, { [weak self] in
            _ = self?.state.withLock { $0.dashboards.removeValue(forKey: id) }
            continuation.finish()
        })
    }

    public func districtChanged(_ districtCodes: some Sequence<String>) {
        let targets = state.withLock { Array($0.dashboards.values) }
        for c in targets { for d in districtCodes { c.yield(d) } }
    }

    /// Whose session a watch stream runs under.
    public enum Subject: Hashable, Sendable {
        case citizen(Int64)
        case staff(Int64)
    }

    /// Runs `end` (which should end the watcher's stream) when the session that opened it is
    /// revoked: logout of that token, or a block, deactivation or role change of its subject.
    /// The watcher then re-checks its session and fails with UNAUTHENTICATED.
    func guardSession(_ subject: Subject, tokenHash: [UInt8], end: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        let id = state.withLock { s in
            s.nextID += 1
            s.sessions[s.nextID] = (subject, tokenHash, end)
            return s.nextID
        }
        return { [weak self] in _ = self?.state.withLock { $0.sessions.removeValue(forKey: id) } }
    }

    /// Ends the watch streams of one session token.
    func revoke(tokenHash: [UInt8]) { revoke { $0.tokenHash == tokenHash } }

    /// Ends every watch stream of a citizen or staff member.
    func revoke(_ subject: Subject) { revoke { $0.subject == subject } }

    /// Ends the watch streams of a subject's other sessions (a password change).
    func revoke(_ subject: Subject, except tokenHash: [UInt8]) {
        revoke { $0.subject == subject && $0.tokenHash != tokenHash }
    }

    private func revoke(where matches: ((subject: Subject, tokenHash: [UInt8], end: @Sendable () -> Void)) -> Bool) {
        let ends = state.withLock { s in
            let hit = s.sessions.filter { matches($0.value) }
            for key in hit.keys { s.sessions[key] = nil }
            return hit.values.map(\.end)
        }
        for end in ends { end() }
    }

    /// Ends every stream (server shutdown).
    public func close() {
        let (a, b, c) = state.withLock { s in
            s.closed = true
            defer { s.citizens = [:]; s.queues = [:]; s.dashboards = [:] }
            return (s.citizens.values.flatMap(\.values), Array(s.queues.values), Array(s.dashboards.values))
        }
        a.forEach { $0.finish() }
        b.forEach { $0.finish() }
        c.forEach { $0.finish() }
    }

    /// Adds a watcher; on a closed hub the stream ends at once.
    private func register<T>(_ continuation: AsyncStream<T>.Continuation, _ add: (inout State, UInt64) -> Void) -> UInt64 {
        let (id, closed) = state.withLock { s in
            s.nextID += 1
            if !s.closed { add(&s, s.nextID) }
            return (s.nextID, s.closed)
        }
        if closed { continuation.finish() }
        return id
    }
}
