import PortalRPC
import PortalSecurity
import PortalStore

/// Every failure a portal service reports, typed. The mapping to RPC status codes lives here
/// and only here; messages name the offending field but never echo personal data (CNICs,
/// mobile numbers, passwords, codes).
public enum PortalError: Error, Sendable, Equatable, RPCErrorConvertible {
    /// A request field is missing or malformed.
    case invalidArgument(field: String, reason: String)
    /// No valid session, or wrong credentials.
    case unauthenticated(String)
    /// Signed in, but the role or jurisdiction does not allow this.
    case permissionDenied(String)
    case notFound(String)
    /// A unique value (CNIC, mobile, username, code) is already taken.
    case alreadyExists(field: String)
    /// The complaint or account is not in a state that allows this.
    case failedPrecondition(String)
    /// Too many attempts; retry later.
    case resourceExhausted(String)
    /// The store or another dependency failed; the request may be retried.
    case unavailable(String)
    case internalError(String)

    public var rpcError: RPCError {
        switch self {
        case let .invalidArgument(field, reason): RPCError(code: .invalidArgument, message: "\(field): \(reason)")
        case let .unauthenticated(m): RPCError(code: .unauthenticated, message: m)
        case let .permissionDenied(m): RPCError(code: .permissionDenied, message: m)
        case let .notFound(m): RPCError(code: .notFound, message: m)
        case let .alreadyExists(field): RPCError(code: .alreadyExists, message: "\(field): already registered")
        case let .failedPrecondition(m): RPCError(code: .failedPrecondition, message: m)
        case let .resourceExhausted(m): RPCError(code: .resourceExhausted, message: m)
        case let .unavailable(m): RPCError(code: .unavailable, message: m)
        case let .internalError(m): RPCError(code: .internalError, message: m)
        }
    }

    /// Folds the lower layers' errors into the portal's: validation failures keep their field,
    /// store failures become UNAVAILABLE (busy, I/O) or INTERNAL, with no bound values.
    public init(_ error: any Error) {
        switch error {
        case let e as PortalError: self = e
        case let e as ValidationError: self = .invalidArgument(field: e.field, reason: e.reason)
        case let e as StoreError:
            switch e.kind {
            case .busy, .ioError, .full, .closed: self = .unavailable("store unavailable, retry later")
            default: self = .internalError("store error")
            }
        default: self = .internalError("internal error")
        }
    }
}

extension PortalError {
    static func missing(_ field: String) -> PortalError { .invalidArgument(field: field, reason: "is required") }
}
