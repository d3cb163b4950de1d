import PortalRPC

/// Starts a server on a free loopback port with the echo and health services.
func withServer<T>(_ configure: (inout ServerConfiguration) -> Void = { _ in },
                   register: (inout RPCRouter) -> Void = { EchoService().registerMethods(with: &$0) },
                   _ body: (RPCServer, RPCClient) async throws -> T) async throws -> T {
    var config = ServerConfiguration()
    config.port = 0
    config.eventLoops = 2
    configure(&config)
    var router = RPCRouter()
    register(&router)
    HealthService().registerMethods(with: &router)
    let server = try RPCServer(configuration: config, router: router)
    try server.start()
    let client = try RPCClient(target: server.localAddress)
    do {
        let result = try await body(server, client)
        client.close()
        await server.shutdown(grace: .seconds(2))
        return result
    } catch {
        client.close()
        await server.shutdown(grace: .seconds(2))
        throw error
    }
}
