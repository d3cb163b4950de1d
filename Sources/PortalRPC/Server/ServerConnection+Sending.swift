#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem
import PortalModel

/// Flow-controlled sending, statuses, credit grants and coalesced writes.
extension ServerConnection {
    /// Queues a frame for `stream`, respecting send credit: a message goes out while both
    /// windows are positive (it may take them negative); otherwise it waits, in order.
    func send(_ stream: ServerStream, _ item: ServerStream.Outbound) {
        stream.blocked.append(item)
        drainBlocked(stream)
    }

    func drainBlocked(_ stream: ServerStream) {
        var sent = 0
        queue: for item in stream.blocked {
            switch item {
            case .message(let bytes, let continuation):
                guard bytes.count <= peerMaxFrameSize else {
                    continuation?.resume(throwing: RPCError(code: .resourceExhausted, message: "response exceeds the client's max_frame_size"))
                    stream.blocked.removeFirst(sent + 1)
                    finish(stream, Status(code: .resourceExhausted,
                                          message: "response of \(bytes.count) bytes exceeds the client's max_frame_size of \(peerMaxFrameSize)"),
                           dropQueued: true)
                    return
                }
                guard stream.sendWindow > 0 && connectionSendWindow > 0 else { break queue }
                output.append(.message, stream: stream.id, payload: bytes)
                stream.sendWindow -= bytes.count
                connectionSendWindow -= bytes.count
                continuation?.resume()
            case .status(let status):
                appendStatus(stream.id, status)
            }
            sent += 1
        }
        if sent > 0 {
            stream.blocked.removeFirst(sent)
            scheduleFlush()
        }
        if stream.statusSent && stream.blocked.isEmpty { retire(stream) }
    }

    /// Ends a call with `status`. With `dropQueued`, messages still waiting for credit are
    /// discarded (errors, cancellation, deadlines); otherwise the status follows them.
    func finish(_ stream: ServerStream, _ status: Status, dropQueued: Bool) {
        guard !stream.statusSent else { return }
        stream.statusSent = true
        if dropQueued {
            for case .message(_, let c?) in stream.blocked { c.resume(throwing: CancellationError()) }
            stream.blocked.removeAll()
            stream.task?.cancel()
        }
        stream.inbound?.finish(CancellationError())
        send(stream, .status(status))
    }

    /// Sends a status on a stream that never got state (rejected CALLs).
    func sendStatus(stream id: UInt32, _ status: Status) {
        appendStatus(id, status)
        scheduleFlush()
    }

    private func appendStatus(_ id: UInt32, _ status: Status) {
        var s = Portal_Rpc_V1_Status()
        s.code = UInt32(status.code.rawValue)
        s.message = Self.truncated(status.message)
        output.append(.status, stream: id, message: s)
    }

    /// Status messages are capped (a handler may echo a huge input into one).
    static func truncated(_ message: String, limit: Int = 1024) -> String {
        guard message.utf8.count > limit else { return message }
        var out = ""
        for ch in message {
            if out.utf8.count + ch.utf8.count > limit - 3 { break }
            out.append(ch)
        }
        return out + "..."
    }

    /// Removes a finished call; the connection may now be idle or fully drained.
    private func retire(_ stream: ServerStream) {
        guard streams[stream.id] === stream else { return }
        if let t = stream.deadlineTimer { loop.cancelTimer(t) }
        streams[stream.id] = nil
        resetIdleTimer()
        closeIfDrained()
    }

    /// Gives up a call because the connection is gone.
    func abandon(_ stream: ServerStream) {
        stream.task?.cancel()
        stream.inbound?.finish(CancellationError())
        for case .message(_, let c?) in stream.blocked { c.resume(throwing: CancellationError()) }
        stream.blocked.removeAll()
        if let t = stream.deadlineTimer { loop.cancelTimer(t) }
    }

    /// Returns credit for consumed request bytes: to the stream (if still open) and to the
    /// connection, in batched WINDOW_UPDATEs.
    func grant(stream id: UInt32?, _ bytes: Int) {
        guard !closed else { return }
        connectionReceiveWindow += bytes
        if let increment = connectionCredit.consumed(bytes) {
            output.appendWindowUpdate(stream: 0, increment: increment)
            scheduleFlush()
        }
        guard let id, let stream = streams[id], !stream.halfClosed else { return }
        stream.receiveWindow += bytes
        if let increment = stream.credit.consumed(bytes) {
            output.appendWindowUpdate(stream: id, increment: increment)
            scheduleFlush()
        }
    }

    // MARK: Writing

    func scheduleFlush() {
        guard !flushScheduled, !closed else { return }
        flushScheduled = true
        loop.scheduleFlush(self)
    }

    /// Writes as much queued output as the socket takes; waits for EPOLLOUT for the rest.
    func flush() {
        flushScheduled = false
        guard !closed, !output.isEmpty else { return }
        let drained: Bool
        do {
            drained = try output.write(to: fd)
        } catch {
            close()
            return
        }
        if drained {
            if writeInterest {
                writeInterest = false
                loop.modify(fd, events: CPS_EPOLLIN | CPS_EPOLLRDHUP)
            }
        } else {
            if output.bytes.count > config.maxOutboundBuffer {
                close()  // a client that never reads
                return
            }
            if !writeInterest {
                writeInterest = true
                loop.modify(fd, events: CPS_EPOLLIN | CPS_EPOLLRDHUP | CPS_EPOLLOUT)
            }
        }
    }
}
