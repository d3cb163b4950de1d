import PortalModel

/// A failed call: a non-OK status code, a message for the caller, and optional metadata.
/// Handlers throw it to choose the status; clients receive it for every non-OK `STATUS`.
public struct RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: Status.Code
    public var message: String
    public var metadata: RPCMetadata

    public init(code: Status.Code, message: String, metadata: RPCMetadata = RPCMetadata()) {
        precondition(code != .ok, "an RPCError cannot carry OK")
        self.code = code
        self.message = message
        self.metadata = metadata
    }

    public var status: Status { Status(code: code, message: message) }
    public var description: String { "\(code): \(message)" }

    /// Maps any error a handler throws to the status the caller sees: an `RPCError` keeps its
    /// own; a `ProtoDecodingError` (a bad request) is INVALID_ARGUMENT; cancellation is
    /// CANCELLED; anything else is INTERNAL with no detail leaked to the client.
    public init(mapping error: any Error) {
        switch error {
        case let e as RPCError:
            self = e
        case let e as ProtoDecodingError:
            self.init(code: .invalidArgument, message: "request does not decode: \(e)")
        case let e as ProtoJSONError:
            self.init(code: .invalidArgument, message: "request JSON does not decode: \(e)")
        case is CancellationError:
            self.init(code: .cancelled, message: "call cancelled")
        case let e as RPCErrorConvertible:
            self = e.rpcError
        default:
            self.init(code: .internalError, message: "internal error")
        }
    }
}

/// Domain errors conform to choose their status; the mapping happens in one place,
/// `RPCError(mapping:)`.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}
