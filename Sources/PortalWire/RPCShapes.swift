/// The shapes generated service code is written against. The RPC runtime supplies the
/// implementations (router, transport); the generated model only names these types, so it
/// depends on nothing above the wire runtime.

/// Call metadata: ordered key/value pairs, keys lower-case (like HTTP/2 headers).
public struct RPCMetadata: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    public struct Entry: Hashable, Sendable {
        public var key: String
        public var value: String
        public init(key: String, value: String) { self.key = key.lowercased(); self.value = value }
    }

    public var entries: [Entry]

    public init() { entries = [] }
    public init(dictionaryLiteral elements: (String, String)...) {
        entries = elements.map { Entry(key: $0.0, value: $0.1) }
    }

    /// The first value for `key`.
    public subscript(key: String) -> String? {
        let k = key.lowercased()
        return entries.first { $0.key == k }?.value
    }

    public mutating func add(_ key: String, _ value: String) {
        entries.append(Entry(key: key, value: value))
    }
}

/// Per-call options on the client side.
public struct RPCCallOptions: Sendable {
    public var timeout: Duration?
    public var metadata: RPCMetadata

    public init(timeout: Duration? = nil, metadata: RPCMetadata = RPCMetadata()) {
        self.timeout = timeout
        self.metadata = metadata
    }
}

/// What a server handler knows about its call.
public struct RPCServerContext: Sendable {
    public var method: MethodDescriptor
    public var metadata: RPCMetadata
    /// When the client's deadline expires; the handler's task is cancelled then.
    public var deadline: ContinuousClock.Instant?
    /// The remote address, e.g. `127.0.0.1:51234`.
    public var peer: String

    public init(method: MethodDescriptor, metadata: RPCMetadata, deadline: ContinuousClock.Instant?, peer: String) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
    }
}

/// Sends messages on a stream (a server's responses or a client's requests).
public struct RPCWriter<Element: Sendable>: Sendable {
    private let sink: @Sendable (Element) async throws -> Void

    public init(_ sink: @escaping @Sendable (Element) async throws -> Void) { self.sink = sink }

    public func write(_ element: Element) async throws { try await sink(element) }
}

/// Receives messages of a stream (a server's requests or a client's responses).
public struct RPCStream<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error
    private let base: AsyncThrowingStream<Element, any Error>

    public init(_ base: AsyncThrowingStream<Element, any Error>) { self.base = base }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<Element, any Error>.AsyncIterator
        public mutating func next() async throws -> Element? { try await base.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }
}

/// Where generated service code registers its handlers (the RPC runtime's router).
public protocol RPCHandlerRegistry {
    mutating func registerUnary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, RPCServerContext) async throws -> Response)
    mutating func registerServerStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, RPCWriter<Response>, RPCServerContext) async throws -> Void)
    mutating func registerClientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (RPCStream<Request>, RPCServerContext) async throws -> Response)
    mutating func registerBidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (RPCStream<Request>, RPCWriter<Response>, RPCServerContext) async throws -> Void)
}

/// What generated client stubs call (the RPC runtime's client connection).
public protocol RPCClientTransport: Sendable {
    func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, request: Request, options: RPCCallOptions
    ) async throws -> Response
    func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, request: Request, options: RPCCallOptions
    ) async throws -> RPCStream<Response>
    func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, options: RPCCallOptions,
        requests: @escaping @Sendable (RPCWriter<Request>) async throws -> Void
    ) async throws -> Response
    func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, options: RPCCallOptions,
        requests: @escaping @Sendable (RPCWriter<Request>) async throws -> Void
    ) async throws -> RPCStream<Response>
}
