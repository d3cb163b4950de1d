import PortalModel

/// The four call shapes, as generated client stubs call them.
extension RPCClient {
    public func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, request: Request, options: RPCCallOptions
    ) async throws -> Response {
        let payload = request.serializedBytes()
        // The call's work on the connection runs on the client's loop (see `EventLoop`): one
        // hop there and one back, instead of a round trip for the connection and another for
        // the call. A caller already on the loop (its task prefers `executor`: only such
        // tasks run there) makes no hop, and skips setting the preference it already has.
        let bytes: [UInt8]
        if loopForCalls.inLoop {
            bytes = try await unaryOnLoop(method, payload, options)
        } else {
            bytes = try await withTaskExecutorPreference(loopForCalls) {
                try await self.unaryOnLoop(method, payload, options)
            }
        }
        return try Self.decode(bytes)
    }

    /// Opens the call, sends its request and waits for the response bytes. Nonisolated, so it
    /// runs on the preferred loop even when the caller is an actor; from another thread (an
    /// actor's, or after the loop stopped) the same steps go through `loop.execute`.
    private nonisolated func unaryOnLoop(
        _ method: MethodDescriptor, _ payload: [UInt8], _ options: RPCCallOptions
    ) async throws -> [UInt8] {
        let conn: ClientConnection
        if let ready = readyConnectionOnLoop() { conn = ready } else { conn = try await connection() }
        let handle = CallHandle()
        let loop = self.loopForCalls
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8], any Error>) in
                let start: @Sendable () -> Void = {
                    guard conn.isUsable else {
                        c.resume(throwing: RPCError(code: .unavailable, message: "connection closed; retry"))
                        return
                    }
                    guard let stream = conn.open(path: method.path, options: options, receiver: .single, handle: handle) else {
                        c.resume(throwing: RPCError(code: .cancelled, message: "call cancelled"))
                        return
                    }
                    stream.awaitOutcome(c)
                    conn.sendRequest(stream, payload, endStream: true, continuation: nil)
                }
                loop.run(start)
            }
        } onCancel: {
            if let id = handle.cancel() { loop.execute { conn.cancel(id) } }
        }
    }

    public func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, request: Request, options: RPCCallOptions
    ) async throws -> RPCStream<Response> {
        let payload = request.serializedBytes()
        let (conn, stream, handle, queue) = try await openStreaming(method, options)
        let loop = self.loopForCalls
        loop.execute { conn.sendRequest(stream.value, payload, endStream: true, continuation: nil) }
        return Self.responses(queue, handle: handle, conn: conn, loop: loop)
    }

    public func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, options: RPCCallOptions,
        requests: @escaping @Sendable (RPCWriter<Request>) async throws -> Void
    ) async throws -> Response {
        let conn = try await connection()
        let handle = CallHandle()
        let loop = self.loopForCalls
        return try await withTaskCancellationHandler {
            let stream = try await withCheckedThrowingContinuation { (c: CheckedContinuation<LoopBound<ClientStream>, any Error>) in
                loop.execute {
                    guard conn.isUsable,
                          let s = conn.open(path: method.path, options: options, receiver: .single, handle: handle) else {
                        c.resume(throwing: RPCError(code: .unavailable, message: "connection closed; retry"))
                        return
                    }
                    c.resume(returning: LoopBound(value: s))
                }
            }
            do {
                try await Self.produce(requests, into: stream, conn: conn, loop: loop)
            } catch {
                // The server may have answered before the requests were all sent (a refused
                // upload): then its response or status is the call's outcome, not the write's.
                let early = await withCheckedContinuation { (c: CheckedContinuation<Result<[UInt8], RPCError>?, Never>) in
                    loop.execute { c.resume(returning: stream.value.serverOutcome) }
                }
                guard let early else { throw error }
                return try Self.decode(try early.get())
            }
            let bytes = try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8], any Error>) in
                loop.execute { stream.value.awaitOutcome(c) }
            }
            return try Self.decode(bytes)
        } onCancel: {
            if let id = handle.cancel() { loop.execute { conn.cancel(id) } }
        }
    }

    public func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor, options: RPCCallOptions,
        requests: @escaping @Sendable (RPCWriter<Request>) async throws -> Void
    ) async throws -> RPCStream<Response> {
        let (conn, stream, handle, queue) = try await openStreaming(method, options)
        let loop = self.loopForCalls
        // The requests flow while the caller reads responses.
        Task { try? await Self.produce(requests, into: stream, conn: conn, loop: loop) }
        return Self.responses(queue, handle: handle, conn: conn, loop: loop)
    }

    // MARK: Helpers

    private func openStreaming(_ method: MethodDescriptor, _ options: RPCCallOptions) async throws
        -> (ClientConnection, LoopBound<ClientStream>, CallHandle, InboundQueue) {
        let conn = try await connection()
        let handle = CallHandle()
        let loop = self.loopForCalls
        let queue = InboundQueue { consumed in
            loop.execute { conn.grant(stream: handle.id, consumed) }
        }
        let stream = try await withCheckedThrowingContinuation { (c: CheckedContinuation<LoopBound<ClientStream>, any Error>) in
            loop.execute {
                guard conn.isUsable,
                      let s = conn.open(path: method.path, options: options, receiver: .stream(queue), handle: handle) else {
                    c.resume(throwing: RPCError(code: .unavailable, message: "connection closed; retry"))
                    return
                }
                c.resume(returning: LoopBound(value: s))
            }
        }
        return (conn, stream, handle, queue)
    }

    /// Runs the caller's request producer, then half-closes; a failing producer cancels the call.
    private static func produce<Request: ProtoMessage>(
        _ requests: @Sendable (RPCWriter<Request>) async throws -> Void,
        into stream: LoopBound<ClientStream>, conn: ClientConnection, loop: EventLoop
    ) async throws {
        let writer = RPCWriter<Request> { request in
            let bytes = request.serializedBytes()
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                loop.execute { conn.sendRequest(stream.value, bytes, endStream: false, continuation: c) }
            }
        }
        do {
            try await requests(writer)
            loop.execute { conn.halfClose(stream.value) }
        } catch {
            let id = stream.value.id
            loop.execute { conn.cancel(id) }
            throw error
        }
    }

    /// Decoded responses. Cancelling the reading task cancels the call, and so does dropping
    /// the stream (a `break` out of the loop): the call is not left open until its deadline,
    /// holding a stream on both ends and its unread responses' credit.
    private static func responses<Response: ProtoMessage>(
        _ queue: InboundQueue, handle: CallHandle, conn: ClientConnection, loop: EventLoop
    ) -> RPCStream<Response> {
        let abandonment = CancelOnRelease(handle: handle, conn: conn, loop: loop)
        return RPCStream(AsyncThrowingStream(unfolding: {
            withExtendedLifetime(abandonment) {}
            do {
                return try await withTaskCancellationHandler {
                    try await queue.next().map { try Self.decode($0) as Response }
                } onCancel: {
                    if let id = handle.cancel() { loop.execute { conn.cancel(id) } }
                }
            } catch is CancellationError {
                throw RPCError(code: .cancelled, message: "call cancelled")
            }
        }))
    }

    static func decode<Response: ProtoMessage>(_ bytes: [UInt8]) throws -> Response {
        do {
            return try Response(serializedBytes: bytes)
        } catch {
            throw RPCError(code: .internalError, message: "response does not decode as \(Response.protoMessageName): \(error)")
        }
    }
}

/// Cancels its call when released: owned by a response stream, it goes when the caller drops
/// the stream. A call that already ended has no stream left to cancel (ids are never reused).
private final class CancelOnRelease: Sendable {
    let handle: CallHandle
    let conn: ClientConnection
    let loop: EventLoop

    init(handle: CallHandle, conn: ClientConnection, loop: EventLoop) {
        self.handle = handle
        self.conn = conn
        self.loop = loop
    }

    deinit {
        if let id = handle.cancel() { loop.execute { [conn] in conn.cancel(id) } }
    }
}
