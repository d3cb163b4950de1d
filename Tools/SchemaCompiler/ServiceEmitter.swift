/// Emits a service's descriptors, its handler protocol (what a server implements) with a
/// registration method for the RPC router, and a typed client stub over any transport.
struct ServiceEmitter {
    let service: ServiceDecl
    let types: TypeNames

    var baseName: String { SwiftNaming.typePrefix(service.file) + service.name }

    func kind(_ m: MethodDecl) -> String {
        switch (m.clientStreaming, m.serverStreaming) {
        case (false, false): return "unary"
        case (true, false): return "clientStreaming"
        case (false, true): return "serverStreaming"
        case (true, true): return "bidirectionalStreaming"
        }
    }

    func funcName(_ m: MethodDecl) -> String { SwiftNaming.escaped(SwiftNaming.lowerCamel(m.name)) }
    func input(_ m: MethodDecl) -> String { types.qualifiedName(m.input!) }
    func output(_ m: MethodDecl) -> String { types.qualifiedName(m.output!) }

    func emit(into w: inout CodeWriter) {
        w.doc(service.comment)
        w.line("/// Descriptors of `\(service.fullName)`.")
        w.block("public enum \(baseName)") { w in
            w.block("public enum Method") { w in
                for m in service.methods {
                    w.doc(m.comment)
                    w.line("public static let \(funcName(m)) = MethodDescriptor(")
                    w.line("    service: \"\(service.fullName)\", method: \"\(m.name)\", kind: .\(kind(m)),")
                    w.line("    requestType: \"\(m.input!.fullName)\", responseType: \"\(m.output!.fullName)\")")
                }
            }
            let all = service.methods.map { "Method.\(funcName($0))" }.joined(separator: ", ")
            w.line("public static let descriptor = ServiceDescriptor(")
            w.line("    fullName: \"\(service.fullName)\", methods: [\(all)])")
        }
        w.line()
        emitHandlerProtocol(into: &w)
        w.line()
        emitClient(into: &w)
    }

    func emitHandlerProtocol(into w: inout CodeWriter) {
        let proto = baseName + "_Handler"
        w.line("/// What a server implements for `\(service.fullName)`. Errors thrown by a method")
        w.line("/// become the call's status (see the RPC runtime for the mapping).")
        w.block("public protocol \(proto): Sendable") { w in
            for m in service.methods {
                w.doc(m.comment)
                w.line(signature(m) + " async throws" + (m.serverStreaming ? "" : " -> \(output(m))"))
            }
        }
        w.line()
        w.block("extension \(proto)") { w in
            w.line("/// Registers every method of `\(service.fullName)` with the RPC router.")
            w.block("public func registerMethods(with registry: inout some RPCHandlerRegistry)") { w in
                for m in service.methods {
                    let d = "\(baseName).Method.\(funcName(m))"
                    let fn = funcName(m)
                    switch (m.clientStreaming, m.serverStreaming) {
                    case (false, false):
                        w.line("registry.registerUnary(\(d)) { (request: \(input(m)), context) in")
                        w.line("    try await self.\(fn)(request: request, context: context) }")
                    case (false, true):
                        w.line("registry.registerServerStreaming(\(d)) { (request: \(input(m)), response: RPCWriter<\(output(m))>, context) in")
                        w.line("    try await self.\(fn)(request: request, response: response, context: context) }")
                    case (true, false):
                        w.line("registry.registerClientStreaming(\(d)) { (requests: RPCStream<\(input(m))>, context) -> \(output(m)) in")
                        w.line("    try await self.\(fn)(requests: requests, context: context) }")
                    case (true, true):
                        w.line("registry.registerBidirectionalStreaming(\(d)) { (requests: RPCStream<\(input(m))>, response: RPCWriter<\(output(m))>, context) in")
                        w.line("    try await self.\(fn)(requests: requests, response: response, context: context) }")
                    }
                }
            }
        }
    }

    func signature(_ m: MethodDecl) -> String {
        let fn = funcName(m)
        switch (m.clientStreaming, m.serverStreaming) {
        case (false, false):
            return "func \(fn)(request: \(input(m)), context: RPCServerContext)"
        case (false, true):
            return "func \(fn)(request: \(input(m)), response: RPCWriter<\(output(m))>, context: RPCServerContext)"
        case (true, false):
            return "func \(fn)(requests: RPCStream<\(input(m))>, context: RPCServerContext)"
        case (true, true):
            return "func \(fn)(requests: RPCStream<\(input(m))>, response: RPCWriter<\(output(m))>, context: RPCServerContext)"
        }
    }

    func emitClient(into w: inout CodeWriter) {
        w.line("/// Typed calls to `\(service.fullName)` over any client transport.")
        w.block("public struct \(baseName)_Client<Transport: RPCClientTransport>: Sendable") { w in
            w.line("public let transport: Transport")
            w.line()
            w.line("public init(transport: Transport) { self.transport = transport }")
            for m in service.methods {
                w.line()
                w.doc(m.comment)
                let d = "\(baseName).Method.\(funcName(m))"
                switch (m.clientStreaming, m.serverStreaming) {
                case (false, false):
                    w.block("public func \(funcName(m))(_ request: \(input(m)), options: RPCCallOptions = RPCCallOptions()) async throws -> \(output(m))") { w in
                        w.line("try await transport.unary(\(d), request: request, options: options)")
                    }
                case (false, true):
                    w.block("public func \(funcName(m))(_ request: \(input(m)), options: RPCCallOptions = RPCCallOptions()) async throws -> RPCStream<\(output(m))>") { w in
                        w.line("try await transport.serverStreaming(\(d), request: request, options: options)")
                    }
                case (true, false):
                    w.block("public func \(funcName(m))(options: RPCCallOptions = RPCCallOptions(), requests: @escaping @Sendable (RPCWriter<\(input(m))>) async throws -> Void) async throws -> \(output(m))") { w in
                        w.line("try await transport.clientStreaming(\(d), options: options, requests: requests)")
                    }
                case (true, true):
                    w.block("public func \(funcName(m))(options: RPCCallOptions = RPCCallOptions(), requests: @escaping @Sendable (RPCWriter<\(input(m))>) async throws -> Void) async throws -> RPCStream<\(output(m))>") { w in
                        w.line("try await transport.bidirectionalStreaming(\(d), options: options, requests: requests)")
                    }
                }
            }
        }
    }
}
