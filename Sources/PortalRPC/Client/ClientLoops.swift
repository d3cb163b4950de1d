import Synchronization

/// The event-loop threads all `RPCClient`s of a process share: one per core, started when the
/// first client is made, running for the life of the process. Each client's connection is
/// touched only by the loop it was given (round-robin), as a server connection is by its
/// loop. Before, each client started a loop thread of its own, so a program with 16 clients
/// on 2 cores ran 16 loop threads beside the cooperative pool, and every call woke two of
/// them.
final class ClientLoops: Sendable {
    static let shared = ClientLoops()

    private let loops = Mutex<[EventLoop]>([])
    private let next = Atomic<Int>(0)

    /// The loop for a new client.
    func pick() throws(SystemError) -> EventLoop {
        try loops.withLock { (loops: inout [EventLoop]) throws(SystemError) -> EventLoop in
            if loops.isEmpty {
                for i in 0..<max(1, RPCServer.coreCount) {
                    let loop = try EventLoop(name: "rpc-client-\(i)")
                    loop.start()
                    loops.append(loop)
                }
            }
            return loops[next.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
        }
    }
}
