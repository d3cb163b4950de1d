/// How many messages each side of a call sends.
public enum RPCKind: String, Hashable, Sendable {
    case unary
    case clientStreaming
    case serverStreaming
    case bidirectionalStreaming

    public var clientStreams: Bool { self == .clientStreaming || self == .bidirectionalStreaming }
    public var serverStreams: Bool { self == .serverStreaming || self == .bidirectionalStreaming }
}

/// One method of a service, as generated from a `.proto` `rpc` line.
public struct MethodDescriptor: Hashable, Sendable, CustomStringConvertible {
    /// Fully-qualified service name, e.g. `portal.v1.CitizenService`.
    public let service: String
    /// Method name as written in the schema, e.g. `FileComplaint`.
    public let method: String
    public let kind: RPCKind
    /// Fully-qualified request and response message names.
    public let requestType: String
    public let responseType: String
    /// The wire path: `/portal.v1.CitizenService/FileComplaint`. Stored, as every call sends it.
    public let path: String

    public init(service: String, method: String, kind: RPCKind, requestType: String, responseType: String) {
        self.service = service
        self.method = method
        self.path = "/\(service)/\(method)"
        self.kind = kind
        self.requestType = requestType
        self.responseType = responseType
    }

    public var description: String { path }
}

/// A service and its methods in schema order.
public struct ServiceDescriptor: Hashable, Sendable {
    public let fullName: String
    public let methods: [MethodDescriptor]

    public init(fullName: String, methods: [MethodDescriptor]) {
        self.fullName = fullName
        self.methods = methods
    }
}
