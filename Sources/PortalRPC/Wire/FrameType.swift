/// Frame types of the CitizenPortal binary protocol (docs/PROTOCOL.md).
public enum FrameType: UInt8, Sendable, CaseIterable {
    /// Each side's limits; stream 0. Payload: `portal.rpc.v1.Settings`.
    case settings = 1
    /// Opens a stream. Payload: `portal.rpc.v1.Call`.
    case call = 2
    /// Exactly one encoded request or response message.
    case message = 3
    /// The server's last frame of a call. Payload: `portal.rpc.v1.Status`.
    case status = 4
    /// The client abandons a call. No payload.
    case cancel = 5
    /// Flow-control credit: 4-byte big-endian increment; stream 0 for the connection.
    case windowUpdate = 6
    /// 8 opaque bytes, echoed with ACK; stream 0.
    case ping = 7
    /// The sender accepts no new streams. Payload: `portal.rpc.v1.GoAway`; stream 0.
    case goAway = 8
}

/// Frame flags.
public struct FrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// On CALL or MESSAGE: the client sends no more messages on this stream (half-close).
    public static let endStream = FrameFlags(rawValue: 0x01)
    /// On PING and SETTINGS: this is the answer.
    public static let ack = FrameFlags(rawValue: 0x02)
    /// On MESSAGE with END_STREAM: the frame carries no message, only the half-close.
    public static let empty = FrameFlags(rawValue: 0x04)
}

/// Fixed values of the protocol.
public enum ProtocolConstants {
    /// The client's first 8 bytes: "PRPC\r\n" 0x1A, then the version (1). The CR LF and SUB
    /// bytes make an HTTP request, a TLS hello or a mangled stream fail at once.
    public static let preface: [UInt8] = [0x50, 0x52, 0x50, 0x43, 0x0D, 0x0A, 0x1A, 0x01]
    public static let headerSize = 12
    /// Largest message (and so MESSAGE frame) either side accepts unless SETTINGS say otherwise.
    public static let defaultMaxFrameSize = 4 * 1024 * 1024
    /// No peer may announce a smaller max_frame_size (control frames must fit).
    public static let minMaxFrameSize: UInt32 = 16 * 1024
    public static let defaultMaxConcurrentStreams = 1024
    public static let defaultInitialWindowSize = 1024 * 1024
    public static let defaultConnectionWindowSize = 16 * 1024 * 1024
    public static let defaultMaxMetadataSize = 16 * 1024
}
