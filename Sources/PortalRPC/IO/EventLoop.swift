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
final class EventLoop: @unchecked Sendable {
    // @unchecked: everything below `pending` is confined to the loop thread.
    let name: String
    private let epfd: Int32
    private let wakeFD: Int32
    private let pending = Mutex<(tasks: [@Sendable () -> Void], wakeSent: Bool)>(([], false))
    private let stopping = Atomic<Bool>(false)
    private var handlers: [Int32: any EventHandler] = [:]
    private var flushQueue: [any EventHandler] = []
    private var timers = TimerQueue()
    private var threadID: pthread_t?
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
        var tid = pthread_t()
        pthread_create(&tid, nil, { raw in
            let loop = Unmanaged<EventLoop>.fromOpaque(raw!).takeRetainedValue()
            loop.run()
            return nil
        }, box)
        threadID = tid
    }

    var inLoop: Bool {
        guard let threadID else { return false }
        return pthread_equal(pthread_self(), threadID) != 0
    }

    /// Runs `task` on the loop thread soon. Safe from any thread.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let wake = pending.withLock { state -> Bool in
            state.tasks.append(task)
            if state.wakeSent { return false }
            state.wakeSent = true
            return true
        }
        if wake {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
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
        for case let c as ServerConnection in Array(handlers.values) { body(c) }
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
        var events = [UInt32](repeating: 0, count: 256)
        var data = [UInt64](repeating: 0, count: 256)
        while !stopping.load(ordering: .relaxed) {
            let timeout = timers.millisecondsUntilNext(now: .now)
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
    }

    private func runPending() {
        // Tasks may enqueue more tasks; take batches until the queue stays empty.
        while true {
            let tasks = pending.withLock { state -> [@Sendable () -> Void] in
                let t = state.tasks
                state.tasks.removeAll(keepingCapacity: true)
                state.wakeSent = false
                return t
            }
            if tasks.isEmpty { return }
            for task in tasks { task() }
        }
    }
}
