import PortalModel

/// What the server logs about calls: one line per finished call, and the type of any error a
/// handler threw that has no status of its own. Never a request or response message, never
/// metadata (which carries bearer tokens), never a status message (a handler may quote its
/// input in one): only ids, method names, status codes, durations and the peer's address.
extension ServerConnection {
    /// Status codes that mean a fault of the server rather than of the call: logged at `error`.
    static let faultCodes: Set<Status.Code> = [.internalError, .unknown, .dataLoss]

    /// The completion line: `call` with request_id, method, code, duration_ms and peer, at
    /// `debug` (one per call is too many for `info` on a busy server), or at `error` for a fault.
    func logCompletion(_ stream: ServerStream, _ code: Status.Code, _ duration: Duration) {
        server.logCall(requestID: stream.requestID, method: stream.route.path, code: code, duration: duration, peer: peer)
    }

    /// Milliseconds, rounded to the microsecond.
    static func milliseconds(_ d: Duration) -> Double {
        let c = d.components
        let micros = c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000
        return Double(micros) / 1000
    }
}

extension RPCServer {
    /// One finished call's line (the binary protocol's and the HTTP gateway's alike).
    func logCall(requestID: RequestID, method: String, code: Status.Code, duration: Duration, peer: String) {
        guard let logger else { return }
        let level: LogLevel = ServerConnection.faultCodes.contains(code) ? .error : .debug
        guard logger.enables(level) else { return }
        logger.log(level, "call", [
            LogField("request_id", .string(requestID.description)),
            LogField("method", .string(method)),
            LogField("code", .string(code.description)),
            LogField("duration_ms", .double(ServerConnection.milliseconds(duration))),
            LogField("peer", .string(peer)),
        ])
    }

    /// Maps a handler's error to the status the caller sees (`RPCError(mapping:)`). An error
    /// with no status of its own becomes INTERNAL with no detail for the caller; its type is
    /// logged with the request id, so the failure can be found. (Its description is not: it
    /// might quote the request.)
    func mapHandlerError(_ error: any Error, requestID: RequestID, method: String) -> RPCError {
        let mapped = RPCError(mapping: error)
        if mapped.code == .internalError, !(error is RPCError), !(error is any RPCErrorConvertible), let logger {
            logger.log(.error, "handler failed with an unmapped error", [
                LogField("request_id", .string(requestID.description)),
                LogField("method", .string(method)),
                LogField("error_type", .string(String(reflecting: type(of: error)))),
            ])
        }
        return mapped
    }
}
