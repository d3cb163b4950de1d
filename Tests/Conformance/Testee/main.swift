#if canImport(Glibc)
import Glibc
#endif
import PortalWire

/// conformance-testee: answers protobuf's conformance runner. Each request is a 4-byte
/// little-endian length and a ConformanceRequest on stdin; each answer the same framing of a
/// ConformanceResponse on stdout. Binary proto3 (TestAllTypesProto3) is handled; JSON, text
/// format, JSPB and proto2 are answered `skipped`.

func readExactly(_ count: Int) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress! + done, count - done) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return nil }
        done += n
    }
    return buffer
}

func writeAll(_ bytes: [UInt8]) {
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + done, bytes.count - done) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { exit(1) }
        done += n
    }
}

func handle(_ request: Conformance_ConformanceRequest) -> Conformance_ConformanceResponse {
    var response = Conformance_ConformanceResponse()
    if request.messageType == "conformance.FailureSet" {
        response.result = .protobufPayload(Conformance_FailureSet().serializedBytes())
        return response
    }
    guard request.messageType == ProtobufTestMessages_Proto3_TestAllTypesProto3.protoMessageName else {
        response.result = .skipped("only proto3 TestAllTypesProto3 is supported")
        return response
    }
    guard case .protobufPayload(let payload)? = request.payload else {
        response.result = .skipped("only binary input is supported")
        return response
    }
    guard request.requestedOutputFormat == .protobuf else {
        response.result = .skipped("only binary output is supported")
        return response
    }
    do {
        let message = try ProtobufTestMessages_Proto3_TestAllTypesProto3(serializedBytes: payload)
        response.result = .protobufPayload(message.serializedBytes())
    } catch {
        response.result = .parseError(error.description)
    }
    return response
}

while let header = readExactly(4) {
    let length = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
    guard let body = readExactly(length) else { break }
    let response: Conformance_ConformanceResponse
    do {
        response = handle(try Conformance_ConformanceRequest(serializedBytes: body))
    } catch {
        var r = Conformance_ConformanceResponse()
        r.result = .runtimeError("undecodable request: \(error)")
        response = r
    }
    let out = response.serializedBytes()
    let n = UInt32(out.count)
    writeAll([UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + out)
}
