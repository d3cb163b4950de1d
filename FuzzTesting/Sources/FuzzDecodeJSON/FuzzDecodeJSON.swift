import FuzzCommon
import FuzzConformanceModel
import PortalWire

/// libFuzzer entry point: the whole input is read as proto3 JSON of TestAllTypesProto3 (every
/// field kind and well-known type), strictly and with `ignoreUnknownFields`. Rejecting input
/// is fine. A message that is read must write JSON that reads back to the same message (its
/// binary encodings compared, as NaN != NaN), in every combination of the encoding options,
/// and its binary encoding must round-trip too (`fuzzRoundTrip`). Crashes, traps and hangs
/// are the bugs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecodeJSON(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    typealias Message = ProtobufTestMessages_Proto3_TestAllTypesProto3
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))
    for ignore in [false, true] {
        var options = ProtoJSONDecodingOptions()
        options.ignoreUnknownFields = ignore
        guard let message = try? Message(jsonUTF8Bytes: input, options: options) else { continue }
        let binary = message.serializedBytes(deterministic: true)
        if let problem = binary.withUnsafeBytes({ fuzzRoundTrip(Message.self, $0) }) {
            fatalError("binary round trip: \(problem); input \(fuzzHex(UnsafeRawBufferPointer(start: start, count: count)))")
        }
        for (always, protoNames) in [(false, false), (true, false), (false, true)] {
            var out = ProtoJSONEncodingOptions()
            out.alwaysPrintPrimitiveFields = always
            out.useProtoFieldNames = protoNames
            let json = message.jsonUTF8Bytes(options: out)
            // Values without a JSON form (out-of-range Timestamp in a message read from JSON
            // cannot happen; a NaN Value number cannot either) would make checked writing fail.
            guard (try? message.checkedJSONUTF8Bytes(options: out)) == json else {
                fatalError("checked and unchecked JSON differ; input \(fuzzHex(UnsafeRawBufferPointer(start: start, count: count)))")
            }
            let again: Message
            do {
                again = try Message(jsonUTF8Bytes: json)
            } catch {
                fatalError("our JSON does not read back (\(error)): \(String(decoding: json, as: UTF8.self))")
            }
            guard again.serializedBytes(deterministic: true) == binary else {
                fatalError("JSON round trip changed the message: \(String(decoding: json, as: UTF8.self))")
            }
        }
    }
    return 0
}

@main
enum FuzzDecodeJSONMain {
    static func main() { fuzzMain(fuzzDecodeJSON) }
}
