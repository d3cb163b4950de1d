import PortalModel

/// Opening calls, receiving their messages, and running their handlers.
extension ServerConnection {
    func handleCall(_ frame: Frame) {
        let id = frame.header.stream
        guard id % 2 == 1 else {
            goAway(code: .invalidArgument, message: "CALL on stream \(id); client streams are odd", close: true)
            return
        }
        guard id > lastStreamID else {
            if streams[id] != nil {
                goAway(code: .invalidArgument, message: "CALL for stream \(id), which is already open", close: true)
            } else {
                goAway(code: .invalidArgument, message: "stream \(id) is not above the last stream \(lastStreamID)", close: true)
            }
            return
        }
        lastStreamID = id
        if draining {
            sendStatus(stream: id, Status(code: .unavailable, message: "server is draining; retry on a new connection"))
            return
        }
        guard frame.payload.count <= config.maxMetadataSize else {
            sendStatus(stream: id, Status(code: .resourceExhausted,
                                          message: "CALL of \(frame.payload.count) bytes exceeds the metadata limit of \(config.maxMetadataSize)"))
            return
        }
        guard heldCallBytes + frame.payload.count <= config.maxConnectionMetadataSize else {
            sendStatus(stream: id, Status(code: .resourceExhausted,
                                          message: "open calls on this connection hold more than \(config.maxConnectionMetadataSize) bytes of metadata"))
            return
        }
        guard streams.count < config.maxConcurrentStreams else {
            sendStatus(stream: id, Status(code: .resourceExhausted,
                                          message: "more than \(config.maxConcurrentStreams) concurrent streams"))
            return
        }
        guard let call = try? Portal_Rpc_V1_Call(serializedBytes: frame.payload) else {
            sendStatus(stream: id, Status(code: .invalidArgument, message: "CALL payload does not decode"))
            return
        }
        guard let route = server.router.route(call.method) else {
            sendStatus(stream: id, Status(code: .unimplemented, message: "unknown method \(call.method)"))
            return
        }
        guard route.bypassesAdmission || !server.isOverloaded else {
            server.recordShedCall()
            server.metrics.recordRefused(method: route.path, code: .resourceExhausted)
            sendStatus(stream: id, Status(code: .resourceExhausted, message: RPCServer.overloadedMessage))
            return
        }
        var metadata = RPCMetadata()
        for entry in call.metadata { metadata.add(entry.key, entry.value) }
        let deadline: ContinuousClock.Instant? = call.timeoutMs > 0
            ? .now + .milliseconds(Int64(clamping: call.timeoutMs)) : nil
        let context = RPCServerContext(method: route.method, metadata: metadata, deadline: deadline, peer: peer)
        let stream = ServerStream(id: id, requestID: server.requestIDs.next(), route: route, context: context,
                                  receiveWindow: config.initialWindowSize, sendWindow: peerInitialWindow)
        stream.callBytes = frame.payload.count
        heldCallBytes += stream.callBytes
        streams[id] = stream
        server.streamOpened()
        idleSince = nil  // the idle timer, if armed, sees this and stands down
        if let deadline {
            stream.deadlineTimer = loop.schedule(at: deadline) { [weak self, weak stream] in
                guard let self, let stream, !stream.statusSent else { return }
                stream.task?.cancel()
                self.finish(stream, Status(code: .deadlineExceeded, message: "deadline of \(call.timeoutMs) ms exceeded"), dropQueued: true)
            }
        }
        if !stream.isUnary { startStreaming(stream) }
        if frame.header.flags.contains(.endStream) { halfClose(stream) }
    }

    func handleMessage(_ frame: Frame) {
        let id = frame.header.stream
        guard id != 0 && id <= lastStreamID else {
            goAway(code: .invalidArgument, message: "MESSAGE for stream \(id), which was never opened", close: true)
            return
        }
        // Every MESSAGE on an opened stream counts against the connection window, whatever
        // becomes of it: the client counted it too. A sender may send while its windows are
        // above zero; the message may take them negative (docs/PROTOCOL.md §4). Sending at or
        // below zero is the violation.
        let size = frame.payload.count
        guard connectionReceiveWindow > 0 || size == 0 else {
            goAway(code: .resourceExhausted, message: "connection flow-control window exceeded", close: true)
            return
        }
        connectionReceiveWindow -= size
        guard let stream = streams[id] else {
            // A late frame for a call that already ended, or a request that followed a CALL
            // refused at once (unknown method, overload, draining): dropped, credit returned.
            returnDropped(size)
            return
        }
        guard !stream.halfClosed else {
            finish(stream, Status(code: .invalidArgument, message: "MESSAGE after the client's half-close"), dropQueued: true)
            returnDropped(size)
            return
        }
        let flags = frame.header.flags
        if flags.contains(.empty) {
            guard flags.contains(.endStream), frame.payload.isEmpty else {
                goAway(code: .invalidArgument, message: "EMPTY requires END_STREAM and no payload", close: true)
                return
            }
            halfClose(stream)
            return
        }
        guard stream.receiveWindow > 0 || size == 0 else {
            finish(stream, Status(code: .resourceExhausted, message: "stream flow-control window exceeded"), dropQueued: true)
            returnDropped(size)
            return
        }
        stream.receiveWindow -= size
        if stream.isUnary {
            guard stream.unaryRequest == nil else {
                finish(stream, Status(code: .invalidArgument, message: "a unary call takes exactly one request message"), dropQueued: true)
                returnDropped(size)
                return
            }
            stream.unaryRequest = frame.payload
            stream.heldCredit = size  // granted back once the handler takes it (at the half-close)
        } else {
            stream.inbound?.push(frame.payload)
        }
        if flags.contains(.endStream) { halfClose(stream) }
    }

    /// Returns the connection credit of a MESSAGE that no handler will read.
    private func returnDropped(_ size: Int) {
        if size > 0 { grant(stream: nil, size) }
    }

    func handleCancel(_ id: UInt32) {
        guard let stream = streams[id] else { return }
        stream.task?.cancel()
        finish(stream, Status(code: .cancelled, message: "cancelled by the client"), dropQueued: true)
    }

    /// A MESSAGE over `maxFrameSize`: its bytes are skipped as they arrive, never buffered, so
    /// the credit the client spent on them is returned at once.
    func rejectOversize(_ header: FrameHeader) {
        let id = header.stream
        guard id != 0 && id <= lastStreamID else {
            goAway(code: .invalidArgument, message: "MESSAGE for stream \(id), which was never opened", close: true)
            return
        }
        guard connectionReceiveWindow > 0 else {
            goAway(code: .resourceExhausted, message: "connection flow-control window exceeded", close: true)
            return
        }
        connectionReceiveWindow -= Int(header.length)
        returnDropped(Int(header.length))
        guard let stream = streams[id] else { return }
        finish(stream, Status(code: .resourceExhausted,
                              message: "message of \(header.length) bytes exceeds the limit of \(config.maxFrameSize)"),
               dropQueued: true)
    }

    private func halfClose(_ stream: ServerStream) {
        stream.halfClosed = true
        if stream.isUnary {
            guard let request = stream.unaryRequest else {
                finish(stream, Status(code: .invalidArgument, message: "the call carried no request message"), dropQueued: true)
                return
            }
            stream.unaryRequest = nil
            releaseHeldCredit(stream)
            startUnary(stream, request)
        } else {
            stream.inbound?.finish()
        }
    }

    // MARK: Handler tasks

    private func startUnary(_ stream: ServerStream, _ request: [UInt8]) {
        guard case .unary(let handler) = stream.route.handler else { return }
        // Admission control: the handler holds one of `maxInFlightCalls` slots while it runs.
        let holdsSlot = !stream.route.bypassesAdmission
        guard !holdsSlot || server.admitCall() else {
            server.recordShedCall()
            finish(stream, Status(code: .resourceExhausted, message: RPCServer.overloadedMessage), dropQueued: true)
            return
        }
        let context = stream.context
        let id = stream.id
        let requestID = stream.requestID
        let loop = self.loop
        let server: RPCServer = self.server
        // The handler runs on this connection's loop (see `EventLoop`): one that does not
        // suspend answers in the same loop iteration, with no thread hop either way.
        stream.task = Task(executorPreference: loop) { [self] in
            let result: Result<[UInt8], RPCError>
            do {
                result = .success(try await RequestID.$current.withValue(requestID) { try await handler(request, context) })
            } catch {
                result = .failure(server.mapHandlerError(error, requestID: requestID, method: context.method.path))
            }
            if holdsSlot { server.releaseCall() }
            // Not `loop.run`: on the loop (always, unless it has stopped) this allocates no
            // closure, on the path every unary call takes.
            if loop.inLoop {
                self.completeUnary(id, result)
            } else {
                loop.execute { self.completeUnary(id, result) }
            }
        }
    }

    private func completeUnary(_ id: UInt32, _ result: Result<[UInt8], RPCError>) {
        guard let stream = streams[id], !stream.statusSent else { return }
        switch result {
        case .success(let response):
            send(stream, .message(response, nil))
            finish(stream, .ok, dropQueued: false)
        case .failure(let error):
            finish(stream, error.status, dropQueued: true)
        }
    }

    private func startStreaming(_ stream: ServerStream) {
        guard case .streaming(let handler) = stream.route.handler else { return }
        let id = stream.id
        let loop = self.loop
        let inbound = InboundQueue { [self] consumed in
            loop.execute { self.grant(stream: id, consumed) }
        }
        stream.inbound = inbound
        // A write hands the message to the connection and waits until it is within the send
        // windows: at once when there is credit. The handler runs on the loop (below), so the
        // hand-over is a call, not a hop; from elsewhere it goes through `execute`.
        let writer = RPCWriter<[UInt8]> { [self] bytes in
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let enqueue: @Sendable () -> Void = {
                    guard let stream = self.streams[id], !stream.statusSent else {
                        c.resume(throwing: CancellationError())
                        return
                    }
                    self.send(stream, .message(bytes, c))
                }
                loop.run(enqueue)
            }
        }
        let context = stream.context
        let requestID = stream.requestID
        let server: RPCServer = self.server
        // On the connection's loop, as unary handlers are: each write resumes the handler as a
        // job of this loop (one step a round, see `EventLoop.runPending`), and the messages of
        // one round go out in one write.
        stream.task = Task(executorPreference: loop) { [self] in
            let status: Status
            do {
                try await RequestID.$current.withValue(requestID) { try await handler(inbound, writer, context) }
                status = .ok
            } catch {
                status = server.mapHandlerError(error, requestID: requestID, method: context.method.path).status
            }
            let end: @Sendable () -> Void = {
                guard let stream = self.streams[id], !stream.statusSent else { return }
                self.finish(stream, status, dropQueued: status.code != .ok)
            }
            loop.run(end)
        }
    }
}
