#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem
import Synchronization

/// Something an event loop dispatches readiness events to (a listener, a connection).
protocol EventHandler: AnyObject {
    func handleEvents(_ events: UInt32)
    /// Called once per loop iteration after reads and queued tasks, if it asked for it.
    func flush()
}

/// One thread running `epoll_wait`. Sockets registered here are touched only by this thread;
/// other threads hand it work with `execute`, which wakes it through an eventfd at most once
/// per batch. Writes are coalesced: handlers ask for `flush` and get one call per iteration.
///
/// The loop is also a `TaskExecutor`: a task started with `Task(executorPreference: loop)` (the
/// server's unary handlers) or running inside `withTaskExecutorPreference(loop)` (the client's
/// unary calls) runs its jobs on this thread, between reading and flushing, so a call that does
/// not suspend costs no thread hop. A job enqueued from the loop thread itself needs no
/// wake-up; one enqueued from another thread (a store thread resuming a handler) wakes the
/// loop like `execute`. Such code must never block: blocking work (SQLite, yescrypt) runs on
/// its own threads and is awaited. Once the loop has stopped, jobs go to the global
/// concurrent executor, so tasks that outlive their loop still finish.
///
/// Its mutable state is confined to the loop thread, so its stored properties opt out of the
/// runtime's dynamic exclusivity checks (`@exclusivity(unchecked)`), as do those of the
/// connections and streams it runs: the checks cost about 7 % of a client's instructions per
/// call, and being per thread they would not catch a race between threads anyway.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    // @unchecked: everything below `pending` is confined to the loop thread.
    let name: String
    private let epfd: Int32
    private let wakeFD: Int32
    private struct Pending {
        var tasks: [@Sendable () -> Void] = []
        /// Jobs enqueued from other threads.
        var jobs: [UnownedJob] = []
        var wakeSent = false
        /// The loop thread has exited: jobs go to the global concurrent executor.
        var exited = false
    }
    private let pending = Mutex(Pending())
    private let stopping = Atomic<Bool>(false)
    /// Jobs enqueued by the loop thread itself (no lock, no wake-up).
    @exclusivity(unchecked) private var localJobs: [UnownedJob] = []
    /// The batch of `localJobs` being run; kept to reuse its storage.
    @exclusivity(unchecked) private var runningJobs: [UnownedJob] = []
    @exclusivity(unchecked) private var handlers: [Int32: any EventHandler] = [:]
    @exclusivity(unchecked) private var flushQueue: [any EventHandler] = []
    @exclusivity(unchecked) private var timers = TimerQueue()
    /// The loop thread's id once it runs (0 before): `inLoop` is asked from any thread.
    private let threadID = Atomic<UInt>(0)
    private var thread = pthread_t()
    private static let wakeToken = UInt64.max
    /// One read buffer per loop, reused by every socket read on it (loop thread only).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 16)

    init(name: String) throws(SystemError) {
        self.name = name
        epfd = Int32(try Sys.retrying("epoll_create1") { Int(cps_epoll_create()) })
        wakeFD = Int32(try Sys.retrying("eventfd") { Int(cps_eventfd()) })
        _ = cps_epoll_ctl(epfd, CPS_EPOLL_CTL_ADD, wakeFD, CPS_EPOLLIN, EventLoop.wakeToken)
    }

    deinit {
        Sys.close(epfd)
        Sys.close(wakeFD)
        readBuffer.deallocate()
    }

    /// Starts the loop thread.
    func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { raw in
            let loop = Unmanaged<EventLoop>.fromOpaque(raw!).takeRetainedValue()
            loop.run()
            return nil
        }, box)
    }

    var inLoop: Bool { threadID.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Runs `task` on the loop thread soon. Safe from any thread.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let wake = pending.withLock { state -> Bool in
            state.tasks.append(task)
            if state.wakeSent { return false }
            state.wakeSent = true
            return true
        }
        if wake { wakeUp() }
    }

    /// Runs `task` at once when called on the loop thread, else hands it to `execute`: for
    /// work that is done on the loop, and usually already is.
    func run(_ task: @escaping @Sendable () -> Void) {
        if inLoop { task() } else { execute(task) }
    }

    private func wakeUp() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    // MARK: TaskExecutor

    /// Runs `job` on the loop thread soon: at once in this iteration when called on the loop,
    /// else after waking the loop (at most once per batch). Safe from any thread.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inLoop {
            localJobs.append(job)
            return
        }
        enum Outcome { case queued, wake, exited }
        let outcome = pending.withLock { state -> Outcome in
            if state.exited { return .exited }
            state.jobs.append(job)
            if state.wakeSent { return .queued }
            state.wakeSent = true
            return .wake
        }
        switch outcome {
        case .queued: break
        case .wake: wakeUp()
        case .exited: globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }

    /// Stops after the current iteration; handlers are dropped (callers close them first).
    func stop() {
        stopping.store(true, ordering: .relaxed)
        execute {}
    }

    // MARK: Loop-thread API

    func register(_ fd: Int32, _ handler: any EventHandler, events: UInt32) throws(SystemError) {
        handlers[fd] = handler
        _ = try Sys.retrying("epoll_ctl(ADD)") { Int(cps_epoll_ctl(epfd, CPS_EPOLL_CTL_ADD, fd, events, UInt64(fd))) }
    }

    func modify(_ fd: Int32, events: UInt32) {
        _ = cps_epoll_ctl(epfd, CPS_EPOLL_CTL_MOD, fd, events, UInt64(fd))
    }

    func unregister(_ fd: Int32) {
        _ = cps_epoll_ctl(epfd, CPS_EPOLL_CTL_DEL, fd, 0, 0)
        handlers[fd] = nil
    }

    /// Every registered server connection (for drain and shutdown).
    func forEachConnection(_ body: (ServerConnection) -> Void) {
        forEachHandler(body)
    }

    /// Every registered handler of type `H`.
    func forEachHandler<H: EventHandler>(_ body: (H) -> Void) {
        for case let h as H in Array(handlers.values) { body(h) }
    }

    /// Asks for one `flush()` call at the end of this iteration.
    func scheduleFlush(_ handler: any EventHandler) { flushQueue.append(handler) }

    @discardableResult
    func schedule(after delay: Duration, _ body: @escaping () -> Void) -> TimerQueue.ID {
        timers.add(deadline: .now + delay, body)
    }

    func schedule(at deadline: ContinuousClock.Instant, _ body: @escaping () -> Void) -> TimerQueue.ID {
        timers.add(deadline: deadline, body)
    }

    func cancelTimer(_ id: TimerQueue.ID) { timers.cancel(id) }

    // MARK: The loop

    private func run() {
        threadID.store(UInt(pthread_self()), ordering: .relaxed)
        var events = [UInt32](repeating: 0, count: 256)
        var data = [UInt64](repeating: 0, count: 256)
        while !stopping.load(ordering: .relaxed) {
            let timeout = localJobs.isEmpty ? timers.millisecondsUntilNext(now: .now) : 0
            let n = events.withUnsafeMutableBufferPointer { e in
                data.withUnsafeMutableBufferPointer { d in
                    cps_epoll_wait(epfd, e.baseAddress, d.baseAddress, 256, timeout)
                }
            }
            if n > 0 {
                for i in 0..<Int(n) {
                    if data[i] == EventLoop.wakeToken {
                        var value: UInt64 = 0
                        _ = Glibc.read(wakeFD, &value, 8)
                    } else if let handler = handlers[Int32(truncatingIfNeeded: data[i])] {
                        handler.handleEvents(events[i])
                    }
                }
            }
            for body in timers.popDue(now: .now) { body() }
            runPending()
            while !flushQueue.isEmpty {
                let queue = flushQueue
                flushQueue.removeAll(keepingCapacity: true)
                for h in queue { h.flush() }
            }
        }
        handlers.removeAll()
        flushQueue.removeAll()
        // Tasks that prefer this loop and are still alive finish on the global executor.
        let jobs = pending.withLock { state -> [UnownedJob] in
            state.exited = true
            defer { state.jobs = [] }
            return state.jobs
        }
        for job in localJobs + jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        localJobs = []
    }

    private func runPending() {
        // Tasks and jobs may enqueue more; take batches until both queues stay empty (a
        // bounded number of rounds: jobs that keep re-enqueueing themselves, a `Task.yield()`
        // loop, must not starve the sockets; leftovers make the next epoll_wait not block).
        let executor = asUnownedTaskExecutor()
        for _ in 0..<64 {
            let (tasks, jobs) = pending.withLock { state -> ([@Sendable () -> Void], [UnownedJob]) in
                let t = state.tasks, j = state.jobs
                state.tasks.removeAll(keepingCapacity: true)
                state.jobs.removeAll(keepingCapacity: true)
                state.wakeSent = false
                return (t, j)
            }
            if tasks.isEmpty && jobs.isEmpty && localJobs.isEmpty { return }
            for task in tasks { task() }
            for job in jobs { job.runSynchronously(on: executor) }
            // The jobs enqueued so far; those they enqueue wait for the next round, so a task
            // that keeps resuming itself on the loop takes one step a round, not the thread.
            swap(&localJobs, &runningJobs)
            for job in runningJobs { job.runSynchronously(on: executor) }
            runningJobs.removeAll(keepingCapacity: true)
        }
    }
}
