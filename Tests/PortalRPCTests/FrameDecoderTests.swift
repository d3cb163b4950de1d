import Testing
import PortalModel
@testable import PortalRPC

@Suite struct FrameDecoderTests {
    func frames(ping count: Int) -> [UInt8] {
        var enc = FrameEncoder()
        enc.appendPreface()
        var settings = Portal_Rpc_V1_Settings()
        settings.maxFrameSize = 1024
        enc.append(.settings, stream: 0, message: settings)
        for i in 0..<count {
            enc.append(.ping, stream: 0, payload: [UInt8](repeating: UInt8(i), count: 8))
        }
        return enc.take()
    }

    func decodeAll(_ chunks: [[UInt8]]) throws -> [Frame] {
        var decoder = FrameDecoder(expectPreface: true)
        var out: [Frame] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let f = try decoder.nextFrame() { out.append(f) }
        }
        #expect(decoder.bufferedByteCount == 0)
        return out
    }

    @Test func headerIsTwelveBigEndianBytes() {
        var out: [UInt8] = []
        FrameHeader(length: 0x0102_0304, stream: 0x0A0B_0C0D, type: .message, flags: .endStream).append(to: &out)
        #expect(out == [1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D, 3, 1, 0, 0])
    }

    @Test func framesArriveWholeInOneRead() throws {
        let all = try decodeAll([frames(ping: 5)])
        #expect(all.map(\.header.type) == [.settings] + Array(repeating: .ping, count: 5))
        #expect(try Portal_Rpc_V1_Settings(serializedBytes: all[0].payload).maxFrameSize == 1024)
        #expect(all[5].payload == [UInt8](repeating: 4, count: 8))
    }

    @Test func framesDripFedOneByteAtATime() throws {
        let bytes = frames(ping: 3)
        let whole = try decodeAll([bytes])
        let dripped = try decodeAll(bytes.map { [$0] })
        #expect(dripped == whole)
    }

    @Test func framesSplitAtEveryPossibleOffset() throws {
        let bytes = frames(ping: 2)
        let whole = try decodeAll([bytes])
        for cut in 1..<bytes.count {
            #expect(try decodeAll([Array(bytes[..<cut]), Array(bytes[cut...])]) == whole, "cut at \(cut)")
        }
    }

    @Test(arguments: [
        Array("GET / HTTP/1.1\r\n".utf8),
        [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01],  // TLS ClientHello
        [0x50, 0x52, 0x50, 0x43, 0x0D, 0x0A, 0x1A, 0x02],  // a future version
    ])
    func wrongPrefaceIsRejected(bytes: [UInt8]) {
        var decoder = FrameDecoder(expectPreface: true)
        decoder.append(bytes)
        #expect(throws: FrameDecodingError.badPreface) { try decoder.nextFrame() }
    }

    @Test func oversizeFrameIsRejectedFromItsHeaderAlone() {
        var decoder = FrameDecoder(maxFrameSize: 1024, expectPreface: false)
        var header: [UInt8] = []
        FrameHeader(length: 1025, stream: 1, type: .message).append(to: &header)
        decoder.append(header)  // no payload bytes at all
        #expect(throws: FrameDecodingError.frameTooLarge(length: 1025, limit: 1024)) { try decoder.nextFrame() }
        var max: [UInt8] = []
        FrameHeader(length: Int(UInt32.max), stream: 1, type: .message).append(to: &max)
        var other = FrameDecoder(expectPreface: false)
        other.append(max)
        #expect(throws: FrameDecodingError.frameTooLarge(length: UInt32.max, limit: ProtocolConstants.defaultMaxFrameSize)) {
            try other.nextFrame()
        }
    }

    @Test func reservedBytesMustBeZero() {
        var decoder = FrameDecoder(expectPreface: false)
        decoder.append([0, 0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 1])
        #expect(throws: FrameDecodingError.reservedBitsSet) { try decoder.nextFrame() }
    }

    @Test func zeroLengthFramesAreValid() throws {
        var decoder = FrameDecoder(expectPreface: false)
        var enc = FrameEncoder()
        enc.append(.cancel, stream: 7)
        decoder.append(enc.take())
        let f = try #require(try decoder.nextFrame())
        #expect(f.header.type == .cancel && f.header.stream == 7 && f.payload.isEmpty)
    }

    @Test func statusCodesKeepGRPCNumbers() {
        #expect(Status.Code.all.count == 17)
        #expect(Status.Code.unauthenticated.rawValue == 16)
        #expect(Status.Code.deadlineExceeded.description == "DEADLINE_EXCEEDED")
        #expect(Status.Code(rawValue: 99) == .unknown)
        #expect(RPCError(mapping: ProtoDecodingError.truncated).code == .invalidArgument)
        #expect(RPCError(mapping: CancellationError()).code == .cancelled)
        struct Leaky: Error {}
        #expect(RPCError(mapping: Leaky()).message == "internal error")
    }
}

@Suite struct OversizeMessageTests {
    @Test func oversizeMessageIsSkippedWithoutBuffering() throws {
        var decoder = FrameDecoder(maxFrameSize: 16, expectPreface: false)
        var enc = FrameEncoder()
        enc.append(.message, stream: 1, payload: [UInt8](repeating: 7, count: 1000))
        enc.append(.ping, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8])
        let bytes = enc.take()
        var events: [FrameEvent] = []
        var maxBuffered = 0
        for chunk in stride(from: 0, to: bytes.count, by: 100) {
            decoder.append(Array(bytes[chunk..<min(chunk + 100, bytes.count)]))
            while let e = try decoder.nextEvent() { events.append(e) }
            maxBuffered = max(maxBuffered, decoder.bufferedByteCount)
        }
        #expect(events.count == 2)
        guard case .oversizeMessage(let h) = events[0] else { Issue.record("expected oversize"); return }
        #expect(h.stream == 1 && h.length == 1000)
        guard case .frame(let ping) = events[1] else { Issue.record("expected ping"); return }
        #expect(ping.payload == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(maxBuffered <= 100)
    }

    @Test func oversizeControlFramesAreFatal() {
        var decoder = FrameDecoder(maxFrameSize: 16, expectPreface: false)
        var enc = FrameEncoder()
        enc.append(.call, stream: 1, payload: [UInt8](repeating: 0, count: 17))
        decoder.append(enc.take())
        #expect(throws: FrameDecodingError.frameTooLarge(length: 17, limit: 16)) { try decoder.nextEvent() }
    }
}
