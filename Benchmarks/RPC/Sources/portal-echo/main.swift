// CitizenPortal's echo server and closed-loop load client (PortalRPC).
//
//   portal-echo server --port P [--loops N] [--max-connections N] [--exit-after S]
//       prints "LISTENING <port> pid=<pid>", then serves bench.Echo and grpc.health.v1.Health
//       until killed.
//   portal-echo client --port P [--conns N] [--depth D] [--secs T] [--warmup W]
//       [--stream --count K] [--on-loop]
//       N RPCClient instances (one connection each), D calls in flight on each (D tasks per
//       client, each calling Get back to back); prints the RESULT line. With --stream, each
//       connection calls Expand for K messages at a time and the count is of messages.
//       --on-loop runs each worker on its client's event loop (RPCClient.executor).
#if canImport(Glibc)
import Glibc
#endif
import PortalRPC
import RPCBenchSupport

struct EchoHandler: Bench_Echo_Handler {
    func get(request: Bench_EchoRequest, context: RPCServerContext) async throws -> Bench_EchoResponse {
        var r = Bench_EchoResponse()
        r.text = request.text
        r.padding = request.padding
        return r
    }

    func expand(request: Bench_EchoRequest, response: RPCWriter<Bench_EchoResponse>, context: RPCServerContext) async throws {
        var r = Bench_EchoResponse()
        r.text = request.text
        for i in 0..<request.count {
            r.index = i
            try await response.write(r)
        }
    }

    func collect(requests: RPCStream<Bench_EchoRequest>, context: RPCServerContext) async throws -> Bench_EchoResponse {
        var n: UInt32 = 0
        for try await _ in requests { n += 1 }
        var r = Bench_EchoResponse()
        r.index = n
        return r
    }

    func update(requests: RPCStream<Bench_EchoRequest>, response: RPCWriter<Bench_EchoResponse>, context: RPCServerContext) async throws {
        var i: UInt32 = 0
        for try await q in requests {
            var r = Bench_EchoResponse()
            r.text = q.text
            r.index = i
            i += 1
            try await response.write(r)
        }
    }
}

func runClient(_ options: Options, port: Int) async throws {
    let conns = options.int("conns", 1)
    let depth = options.int("depth", 1)
    let streaming = options.flag("stream")
    let count = UInt32(options.int("count", 10_000))
    let clients = try (0..<conns).map { _ in
        try RPCClient(target: SocketAddress(host: "127.0.0.1", port: port))
    }
    let stubs = clients.map { Bench_Echo_Client(transport: $0) }
    var request = Bench_EchoRequest()
    request.text = benchText
    // Connect every client before the clock starts.
    for stub in stubs { _ = try await stub.get(request) }
    let window = Window(warmup: options.double("warmup", 1), seconds: options.double("secs", 5))
    // --on-loop: each worker prefers its client's loop (`RPCClient.executor`), so a call makes
    // no thread hop; by default workers run on the cooperative pool, as an app's do.
    let onLoop = options.flag("on-loop")
    if streaming {
        request.count = count
        let request = request
        let results = await withTaskGroup(of: WorkerResult.self) { group in
            for (i, stub) in stubs.enumerated() {
                group.addTask(executorPreference: onLoop ? clients[i].executor : nil) {
                    var r = WorkerResult()
                    while nowNanos() < window.end {
                        do {
                            let stream = try await stub.expand(request)
                            for try await m in stream {
                                r.countMessage(at: nowNanos(), in: window)
                                if m.text.utf8.count != benchText.utf8.count { r.fail(RPCError(code: .dataLoss, message: "bad echo")) }
                            }
                        } catch {
                            r.fail(error)
                            try? await Task.sleep(for: .milliseconds(1))
                        }
                    }
                    return r
                }
            }
            var all: [WorkerResult] = []
            for await r in group { all.append(r) }
            return all
        }
        printResult(results, window: window)
    } else {
        let request = request
        let results = await closedLoop(workers: conns * depth, window: window,
                                       executor: { onLoop ? clients[$0 / depth].executor : nil }) { w in
            let response = try await stubs[w / depth].get(request)
            if response.text.utf8.count != benchText.utf8.count { throw RPCError(code: .dataLoss, message: "bad echo") }
        }
        printResult(results, window: window)
    }
    for c in clients { c.close() }
}

let options = Options()
let port = options.int("port", 0)

switch options.command {
case "server":
    var config = ServerConfiguration()
    config.host = "127.0.0.1"
    config.port = port
    config.eventLoops = options.int("loops", RPCServer.coreCount)
    config.maxConnections = options.int("max-connections", 20_000)
    var router = RPCRouter()
    EchoHandler().registerMethods(with: &router)
    HealthService().registerMethods(with: &router)
    let server = try RPCServer(configuration: config, router: router)
    try server.start()
    print("LISTENING \(server.localAddress.port) pid=\(getpid())")
    fflush(nil)
    // --exit-after S: exit normally after S seconds (lets valgrind write its profile).
    let exitAfter = options.double("exit-after", 0)
    if exitAfter > 0 {
        usleep(UInt32(exitAfter * 1e6))
        exit(0)
    }
    parkForever()

case "client":
    runDetached { try await runClient(options, port: port) }

default:
    print("usage: portal-echo server|client --port P ...")
    exit(2)
}
