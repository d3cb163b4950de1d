/// The outcome of a call: a gRPC status code and a message. `STATUS` frames carry it.
public struct Status: Hashable, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(code: Code, message: String = "") {
        self.code = code
        self.message = message
    }

    public static let ok = Status(code: .ok)

    public var description: String { message.isEmpty ? "\(code)" : "\(code): \(message)" }

    /// gRPC's status codes, with gRPC's numbers and meanings. Unknown numbers from a peer map to
    /// `.unknown`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Wrapped: UInt8, CaseIterable {
            case ok = 0, cancelled, unknown, invalidArgument, deadlineExceeded, notFound, alreadyExists
            case permissionDenied, resourceExhausted, failedPrecondition, aborted, outOfRange
            case unimplemented, internalError, unavailable, dataLoss, unauthenticated
        }

        let wrapped: Wrapped

        init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The code for a wire number; numbers past 16 become `.unknown`, as gRPC specifies.
        public init(rawValue: Int) {
            wrapped = UInt8(exactly: rawValue).flatMap(Wrapped.init(rawValue:)) ?? .unknown
        }

        public var rawValue: Int { Int(wrapped.rawValue) }

        public static let ok = Code(.ok)
        public static let cancelled = Code(.cancelled)
        public static let unknown = Code(.unknown)
        public static let invalidArgument = Code(.invalidArgument)
        public static let deadlineExceeded = Code(.deadlineExceeded)
        public static let notFound = Code(.notFound)
        public static let alreadyExists = Code(.alreadyExists)
        public static let permissionDenied = Code(.permissionDenied)
        public static let resourceExhausted = Code(.resourceExhausted)
        public static let failedPrecondition = Code(.failedPrecondition)
        public static let aborted = Code(.aborted)
        public static let outOfRange = Code(.outOfRange)
        public static let unimplemented = Code(.unimplemented)
        public static let internalError = Code(.internalError)
        public static let unavailable = Code(.unavailable)
        public static let dataLoss = Code(.dataLoss)
        public static let unauthenticated = Code(.unauthenticated)

        public static let all: [Code] = Wrapped.allCases.map(Code.init)

        /// The upper-snake name gRPC uses (`DEADLINE_EXCEEDED`).
        public var description: String {
            switch wrapped {
            case .ok: return "OK"
            case .cancelled: return "CANCELLED"
            case .unknown: return "UNKNOWN"
            case .invalidArgument: return "INVALID_ARGUMENT"
            case .deadlineExceeded: return "DEADLINE_EXCEEDED"
            case .notFound: return "NOT_FOUND"
            case .alreadyExists: return "ALREADY_EXISTS"
            case .permissionDenied: return "PERMISSION_DENIED"
            case .resourceExhausted: return "RESOURCE_EXHAUSTED"
            case .failedPrecondition: return "FAILED_PRECONDITION"
            case .aborted: return "ABORTED"
            case .outOfRange: return "OUT_OF_RANGE"
            case .unimplemented: return "UNIMPLEMENTED"
            case .internalError: return "INTERNAL"
            case .unavailable: return "UNAVAILABLE"
            case .dataLoss: return "DATA_LOSS"
            case .unauthenticated: return "UNAUTHENTICATED"
            }
        }
    }
}
