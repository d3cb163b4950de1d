import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Copies the WAL back into the database file on a thread and connection of its own, so the
/// writer never does it inside a group commit. SQLite's automatic checkpoint would run on the
/// committing connection: the copy, and with `synchronous = NORMAL` the database file's fsync,
/// would hold up every write queued behind that commit. The writer connection sets
/// `wal_autocheckpoint = 0` when this runs.
///
/// The writer calls `noteCommit()` after each commit. The first note after a checkpoint wakes
/// the checkpointer, which waits `interval` (so one checkpoint covers the commits of that
/// span) and runs `PRAGMA wal_checkpoint(PASSIVE)`: it copies what no reader still needs and
/// never blocks the writer or the readers. An idle store does no checkpoints and no wake-ups.
/// Durability does not depend on checkpoints: a committed transaction is in the WAL.
final class Checkpointer: Sendable {
    private struct State {
        var pending = false
        var closed = false
        var restartWanted = false
        /// Between `takeRestartRequest` and `restartEnded`: the writer is restarting the WAL.
        var restarting = false
        /// The WAL length (frames) at which the next restart is asked for: `restartFrames`,
        /// raised by another `restartFrames` past the length seen each time a restart is put
        /// off, so a read that holds its snapshot for long costs the writer one capped wait per
        /// `restartFrames` written, not one per pass.
        var restartAt: Int64 = 0
        /// The WAL length at the last pass.
        var lastFrames: Int64 = 0
    }

    private let state = Mutex(State())
    private let wake = Semaphore()
    let interval: Duration
    /// WAL length (in frames) from which a checkpoint restarts the WAL.
    let restartFrames: Int64

    init(interval: Duration, restartFrames: Int64) {
        self.interval = interval
        self.restartFrames = restartFrames
        state.withLock { $0.restartAt = restartFrames }
    }

    /// A commit added frames to the WAL.
    func noteCommit() {
        let first = state.withLock { state in
            defer { state.pending = true }
            return !state.pending
        }
        if first { wake.post() }
    }

    /// Whether the writer should restart the WAL before its next transaction (and so clears
    /// the request). The WAL only starts over when a write begins after a checkpoint that
    /// copied every frame while no reader needed any. Under steady load that moment never comes
    /// on its own: the writer begins its next batch as soon as one commits, so the WAL file
    /// would grow without bound, and every new frame would extend it. The writer is the one
    /// connection that can take the write lock between two of its batches without waiting, so
    /// it runs the RESTART checkpoint itself (`Store.restartWAL`); most frames have already
    /// been copied by this thread's passes.
    func takeRestartRequest() -> Bool {
        state.withLock { state in
            defer { state.restartWanted = false }
            if state.restartWanted { state.restarting = true }
            return state.restartWanted
        }
    }

    /// The writer's restart went through (`done`) or was put off by a read still using the WAL.
    func restartEnded(done: Bool) {
        state.withLock { state in
            state.restartAt = done ? restartFrames : state.lastFrames + restartFrames
            state.restarting = false
        }
    }

    /// Ends `run` after at most one more checkpoint.
    func close() {
        state.withLock { $0.closed = true }
        wake.post()
    }

    /// The checkpointer thread's loop on its own read-write connection.
    func run(path: String, configuration: StoreConfiguration, counters: StoreCounters) {
        let db: Database
        do {
            db = try Database(path: path, mode: .readWrite, busyTimeoutMillis: configuration.busyTimeoutMillis)
        } catch {
            counters.update { $0.failedCheckpoints += 1 }
            return
        }
        defer { db.close() }
        while true {
            wake.wait()
            if state.withLock({ $0.closed }) { return }
            Self.sleep(interval)
            // While the writer restarts the WAL, a pass here would only hold the checkpoint lock
            // its RESTART needs (and make it fail at once). A request the writer has not taken
            // yet (no write came since) does not stop the pass: the frames still get copied back.
            if state.withLock({ state in state.pending = false; return state.restarting }) { continue }
            do {
                // (busy, frames in the WAL, frames copied back)
                let result = try db.queryOne("PRAGMA wal_checkpoint(PASSIVE)") { ($0.int(0), $0.int(1), $0.int(2)) }
                counters.update { $0.checkpoints += 1 }
                if let frames = result?.1 {
                    state.withLock { state in
                        // The WAL started over without the writer's RESTART (SQLite does so
                        // when a write begins on a WAL copied back that no reader uses): a
                        // threshold raised by earlier put-off restarts no longer applies.
                        if frames < state.lastFrames && !state.restartWanted { state.restartAt = restartFrames }
                        state.lastFrames = frames
                        if frames >= state.restartAt { state.restartWanted = true }
                    }
                    counters.update { $0.walFrames = Int(frames) }
                }
            } catch {
                counters.update { $0.failedCheckpoints += 1 }
            }
        }
    }

    private static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
