// grpc-swift-2 (2.4.3, HTTP/2 over grpc-swift-nio-transport 2.9.2 Posix) echo server and
// closed-loop load client for the same echo.proto, with the same options and RESULT line as
// portal-echo.
//
//   grpc-echo server --port P
//   grpc-echo client --port P [--conns N] [--depth D] [--secs T] [--warmup W] [--stream --count K]
//       N GRPCClient instances (one HTTP/2 connection each), D calls in flight on each.
#if canImport(Glibc)
import Glibc
#endif
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import RPCBenchSupport

struct EchoService: Bench_Echo.SimpleServiceProtocol {
    func get(request: Bench_EchoRequest, context: ServerContext) async throws -> Bench_EchoResponse {
        var r = Bench_EchoResponse()
        r.text = request.text
        r.padding = request.padding
        return r
    }

    func expand(request: Bench_EchoRequest, response: RPCWriter<Bench_EchoResponse>, context: ServerContext) async throws {
        var r = Bench_EchoResponse()
        r.text = request.text
        for i in 0..<request.count {
            r.index = i
            try await response.write(r)
        }
    }

    func collect(request: RPCAsyncSequence<Bench_EchoRequest, any Error>, context: ServerContext) async throws -> Bench_EchoResponse {
        var n: UInt32 = 0
        for try await _ in request { n += 1 }
        var r = Bench_EchoResponse()
        r.index = n
        return r
    }

    func update(request: RPCAsyncSequence<Bench_EchoRequest, any Error>, response: RPCWriter<Bench_EchoResponse>,
                context: ServerContext) async throws {
        var i: UInt32 = 0
        for try await q in request {
            var r = Bench_EchoResponse()
            r.text = q.text
            r.index = i
            i += 1
            try await response.write(r)
        }
    }
}

struct BadEcho: Error, CustomStringConvertible { var description: String { "bad echo" } }

func runClient(_ options: Options, port: Int) async throws {
    let conns = options.int("conns", 1)
    let depth = options.int("depth", 1)
    let streaming = options.flag("stream")
    let count = UInt32(options.int("count", 10_000))
    let clients = try (0..<conns).map { _ in
        GRPCClient(transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
    }
    try await withThrowingDiscardingTaskGroup { group in
        for c in clients { group.addTask { try await c.runConnections() } }
        let stubs = clients.map { Bench_Echo.Client(wrapping: $0) }
        var request = Bench_EchoRequest()
        request.text = benchText
        for stub in stubs { _ = try await stub.get(request) }
        let window = Window(warmup: options.double("warmup", 1), seconds: options.double("secs", 5))
        if streaming {
            request.count = count
            let req = request
            let results = await withTaskGroup(of: WorkerResult.self) { g in
                for stub in stubs {
                    g.addTask {
                        var r = WorkerResult()
                        while nowNanos() < window.end {
                            do {
                                let part = try await stub.expand(req) { response in
                                    var p = WorkerResult()
                                    for try await m in response.messages {
                                        p.countMessage(at: nowNanos(), in: window)
                                        if m.text.utf8.count != benchText.utf8.count { p.fail(BadEcho()) }
                                    }
                                    return p
                                }
                                r.merge(part)
                            } catch {
                                r.fail(error)
                                try? await Task.sleep(for: .milliseconds(1))
                            }
                        }
                        return r
                    }
                }
                var all: [WorkerResult] = []
                for await r in g { all.append(r) }
                return all
            }
            printResult(results, window: window)
        } else {
            let req = request
            let results = await closedLoop(workers: conns * depth, window: window) { w in
                let response = try await stubs[w / depth].get(req)
                if response.text.utf8.count != benchText.utf8.count { throw BadEcho() }
            }
            printResult(results, window: window)
        }
        fflush(nil)
        for c in clients { c.beginGracefulShutdown() }
    }
}

let options = Options()
let port = options.int("port", 0)

switch options.command {
case "server":
    let server = GRPCServer(
        transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext),
        services: [EchoService()]
    )
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        let address = try await server.listeningAddress
        print("LISTENING \(address?.ipv4?.port ?? port) pid=\(getpid())")
        fflush(nil)
    }

case "client":
    runDetached { try await runClient(options, port: port) }

default:
    print("usage: grpc-echo server|client --port P ...")
    exit(2)
}
