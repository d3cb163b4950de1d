#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem
import PortalModel

/// Starting calls, sending request messages under flow control, writing.
extension ClientConnection {
    /// Opens a stream with a CALL frame; returns its id.
    func open(path: String, options: RPCCallOptions, receiver: ClientStream.Receiver, handle: CallHandle) -> ClientStream? {
        let id = nextStreamID
        nextStreamID += 2
        guard handle.assign(id) else {
            // Cancelled before it started.
            let s = ClientStream(id: id, receiver: receiver, sendWindow: 0, receiveWindow: 0)
            s.complete(Status(code: .cancelled, message: "call cancelled"))
            return nil
        }
        var call = Portal_Rpc_V1_Call()
        call.method = path
        if let timeout = options.timeout {
            let (s, atto) = timeout.components
            call.timeoutMs = UInt64(max(1, s * 1000 + atto / 1_000_000_000_000_000))
        }
        for e in options.metadata.entries {
            var m = Portal_Rpc_V1_MetadataEntry()
            m.key = e.key
            m.value = e.value
            call.metadata.append(m)
        }
        let stream = ClientStream(id: id, receiver: receiver, sendWindow: peerInitialWindow,
                                  receiveWindow: config.initialWindowSize)
        streams[id] = stream
        output.append(.call, stream: id, message: call)
        if let timeout = options.timeout {
            // A little after the server's own deadline, in case its STATUS is lost with it.
            stream.deadlineTimer = loop.schedule(after: timeout + .milliseconds(50)) { [weak self, weak stream] in
                guard let self, let stream, self.streams[stream.id] === stream else { return }
                self.cancel(stream.id, status: Status(code: .deadlineExceeded, message: "deadline exceeded"))
            }
        }
        scheduleFlush()
        return stream
    }

    /// Queues a request message (and optionally the half-close) under send credit.
    func sendRequest(_ stream: ClientStream, _ bytes: [UInt8], endStream: Bool,
                     continuation: CheckedContinuation<Void, any Error>?) {
        guard streams[stream.id] === stream, !stream.halfClosed else {
            continuation?.resume(throwing: stream.endedError ?? RPCError(code: .cancelled, message: "the call has ended"))
            return
        }
        stream.blocked.append(.message(bytes, endStream: endStream, continuation))
        if endStream { stream.halfClosed = true }
        drainBlocked(stream)
    }

    /// Sends only the half-close (client streaming after its last message).
    func halfClose(_ stream: ClientStream) {
        guard streams[stream.id] === stream, !stream.halfClosed else { return }
        stream.halfClosed = true
        stream.blocked.append(.halfClose)
        drainBlocked(stream)
    }

    func drainBlocked(_ stream: ClientStream) {
        var sent = 0
        queue: for item in stream.blocked {
            switch item {
            case .halfClose:
                output.append(.message, stream: stream.id, flags: [.endStream, .empty])
            case .message(let bytes, let endStream, let continuation):
                guard stream.sendWindow > 0 && connectionSendWindow > 0 else { break queue }
                output.append(.message, stream: stream.id, flags: endStream ? .endStream : [], payload: bytes)
                stream.sendWindow -= bytes.count
                connectionSendWindow -= bytes.count
                continuation?.resume()
            }
            sent += 1
        }
        if sent > 0 {
            stream.blocked.removeFirst(sent)
            scheduleFlush()
        }
    }

    /// Sends CANCEL and ends the call locally with `status`.
    func cancel(_ id: UInt32, status: Status = Status(code: .cancelled, message: "call cancelled")) {
        guard let stream = streams[id] else { return }
        output.append(.cancel, stream: id)
        scheduleFlush()
        retire(stream, status)
    }

    /// Returns credit for consumed response bytes, in batched WINDOW_UPDATEs.
    func grant(stream id: UInt32?, _ bytes: Int) {
        guard !closed else { return }
        if let increment = connectionCredit.consumed(bytes) {
            output.appendWindowUpdate(stream: 0, increment: increment)
            scheduleFlush()
        }
        guard let id, let stream = streams[id] else { return }
        stream.receiveWindow += bytes
        if let increment = stream.credit.consumed(bytes) {
            output.appendWindowUpdate(stream: id, increment: increment)
            scheduleFlush()
        }
    }

    func scheduleFlush() {
        guard !flushScheduled, !closed else { return }
        flushScheduled = true
        loop.scheduleFlush(self)
    }

    func flush() {
        flushScheduled = false
        guard tcpConnected, !closed else { return }
        let drained: Bool
        do {
            drained = try output.write(to: fd)
        } catch {
            fail(RPCError(code: .unavailable, message: "connection lost: \(error)"))
            return
        }
        // Until the handshake completes we stay registered for EPOLLOUT (connect readiness).
        if drained, writeInterest, connected {
            writeInterest = false
            loop.modify(fd, events: CPS_EPOLLIN | CPS_EPOLLRDHUP)
        } else if !drained, !writeInterest {
            writeInterest = true
            loop.modify(fd, events: CPS_EPOLLIN | CPS_EPOLLRDHUP | CPS_EPOLLOUT)
        }
    }
}
