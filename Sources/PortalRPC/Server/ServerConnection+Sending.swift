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
        // Nothing waits ahead of it (the usual case): what drainBlocked would do for a
        // one-item queue, without the enum's trip through the array.
        if stream.blocked.isEmpty {
            switch item {
            case .status(let status):
                appendStatus(stream.id, status)
                scheduleFlush()
                if stream.statusSent { retire(stream) }
                return
            case .message(let bytes, let continuation)
                where bytes.count <= peerMaxFrameSize && stream.sendWindow > 0 && connectionSendWindow > 0:
                output.append(.message, stream: stream.id, payload: bytes)
                stream.sendWindow -= bytes.count
                connectionSendWindow -= bytes.count
                continuation?.resume()
                scheduleFlush()
                if stream.statusSent { retire(stream) }
                return
            default:
                break
            }
        }
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
        let duration = ContinuousClock.now - stream.started
        server.metrics.record(method: stream.route.path, code: status.code, duration: duration)
        logCompletion(stream, status.code, duration)
        if dropQueued {
            for case .message(_, let c?) in stream.blocked { c.resume(throwing: CancellationError()) }
            stream.blocked.removeAll()
            stream.task?.cancel()
        }
        stream.inbound?.discard(CancellationError())  // unread requests return their credit
        send(stream, .status(status))
    }

    /// Sends a status on a stream that never got state (rejected CALLs).
    func sendStatus(stream id: UInt32, _ status: Status) {
        appendStatus(id, status)
        scheduleFlush()
    }

    private func appendStatus(_ id: UInt32, _ status: Status) {
        if status.code == .ok && status.message.isEmpty {
            output.append(.status, stream: id)  // what encoding the default Status gives: no bytes
            return
        }
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
        server.streamsClosed(1)
        heldCallBytes -= stream.callBytes
        stream.unaryRequest = nil
        releaseHeldCredit(stream)
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

    /// Grants back the connection credit of a buffered unary request.
    func releaseHeldCredit(_ stream: ServerStream) {
        guard stream.heldCredit > 0 else { return }
        let bytes = stream.heldCredit
        stream.heldCredit = 0
        grant(stream: nil, bytes)
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
    /// While more than `readPauseThreshold` bytes wait, the client's requests are not read.
    func flush() {
        flushScheduled = false
        guard !closed, !output.isEmpty else { return }
        let before = output.count
        let drained: Bool
        do {
            drained = try output.write(to: fd)
        } catch {
            close()
            return
        }
        if drained {
            setInterest(write: false, read: true)
            return
        }
        if output.count > config.maxOutboundBuffer {
            close(abortive: true)  // a client that does not read while its answers pile up
            return
        }
        let now = ContinuousClock.now
        if !writeInterest || output.count < before { lastWriteProgress = now }
        setInterest(write: true, read: output.count <= config.readPauseThreshold)
        if writeStallTimer == nil, let timeout = config.writeStallTimeout {
            armWriteStallTimer(at: lastWriteProgress + timeout, timeout)
        }
    }

    /// Asks epoll for what the connection needs now: EPOLLOUT while output waits, EPOLLIN
    /// (and RDHUP) unless reading is paused. One epoll_ctl, and only on a change.
    private func setInterest(write: Bool, read: Bool) {
        guard write != writeInterest || read != !readPaused else { return }
        if read && readPaused, partialSince != nil { partialSince = .now }  // our pause, not the client's delay
        writeInterest = write
        readPaused = !read
        loop.modify(fd, events: (read ? CPS_EPOLLIN | CPS_EPOLLRDHUP : 0) | (write ? CPS_EPOLLOUT : 0))
    }

    /// Drops the connection once its socket has taken no byte for `timeout` while output waits.
    private func armWriteStallTimer(at deadline: ContinuousClock.Instant, _ timeout: Duration) {
        writeStallTimer = loop.schedule(at: deadline) { [weak self] in
            guard let self else { return }
            self.writeStallTimer = nil
            guard !self.closed, self.writeInterest else { return }
            if ContinuousClock.now - self.lastWriteProgress >= timeout {
                self.close(abortive: true)  // the client stopped reading; a GOAWAY could not reach it
            } else {
                self.armWriteStallTimer(at: self.lastWriteProgress + timeout, timeout)
            }
        }
    }
}
