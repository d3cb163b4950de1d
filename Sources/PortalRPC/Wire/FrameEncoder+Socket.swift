/// Writing queued frames to a non-blocking socket, shared by server and client connections.
extension FrameEncoder {
    /// Writes as much as the socket takes and drops what was written. Returns true when
    /// everything went out (false: wait for EPOLLOUT and call again).
    mutating func write(to fd: Int32) throws(SystemError) -> Bool {
        guard !isEmpty else { return true }
        var written = 0
        let total = count
        var failure: SystemError?
        withQueuedBytes { raw in
            while written < total {
                do throws(SystemError) {
                    guard let n = try Sys.write(fd, UnsafeRawBufferPointer(rebasing: raw[written...])) else { return }
                    written += n
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        removeFirst(written)
        return written == total
    }
}

/// Receive-side credit: consumed bytes are returned to the sender in WINDOW_UPDATEs once
/// they reach a quarter of the window, so credit flows back in batches, not per message.
struct CreditLedger {
    let window: Int
    private(set) var ungranted = 0

    init(window: Int) { self.window = window }

    /// Records consumed bytes; returns the increment to grant now, if any.
    mutating func consumed(_ bytes: Int) -> UInt32? {
        ungranted += bytes
        guard ungranted >= window / 4 else { return nil }
        defer { ungranted = 0 }
        return UInt32(clamping: ungranted)
    }
}
