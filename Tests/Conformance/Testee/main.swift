#if canImport(Glibc)
import Glibc
#endif
import PortalWire

/// conformance-testee: answers protobuf's conformance runner. Each request is a 4-byte
/// little-endian length and a ConformanceRequest on stdin; each answer the same framing of a
/// ConformanceResponse on stdout. Proto3 (TestAllTypesProto3) in binary and JSON, input and
/// output, is handled (JSON_IGNORE_UNKNOWN_PARSING_TEST sets `ignoreUnknownFields`); text
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
    typealias TestMessage = ProtobufTestMessages_Proto3_TestAllTypesProto3
    var response = Conformance_ConformanceResponse()
    if request.messageType == "conformance.FailureSet" {
        response.result = .protobufPayload(Conformance_FailureSet().serializedBytes())
        return response
    }
    guard request.messageType == TestMessage.protoMessageName else {
        response.result = .skipped("only proto3 TestAllTypesProto3 is supported")
        return response
    }
    let message: TestMessage
    switch request.payload {
    case .protobufPayload(let payload)?:
        do {
            message = try TestMessage(serializedBytes: payload)
        } catch {
            response.result = .parseError(error.description)
            return response
        }
    case .jsonPayload(let text)?:
        var options = ProtoJSONDecodingOptions()
        options.ignoreUnknownFields = request.testCategory == .jsonIgnoreUnknownParsingTest
        do {
            message = try TestMessage(jsonUTF8Bytes: Array(text.utf8), options: options)
        } catch {
            response.result = .parseError(error.description)
            return response
        }
    default:
        response.result = .skipped("only binary and JSON input are supported")
        return response
    }
    switch request.requestedOutputFormat {
    case .protobuf:
        response.result = .protobufPayload(message.serializedBytes())
    case .json:
        do {
            response.result = .jsonPayload(String(decoding: try message.checkedJSONUTF8Bytes(), as: UTF8.self))
        } catch {
            response.result = .serializeError(error.description)
        }
    default:
        response.result = .skipped("only binary and JSON output are supported")
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
