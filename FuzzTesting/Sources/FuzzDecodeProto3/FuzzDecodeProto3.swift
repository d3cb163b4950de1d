import FuzzCommon
import FuzzConformanceModel

/// libFuzzer entry point: the whole input is decoded as TestAllTypesProto3, which has every
/// field kind the generator emits; a decoded message must re-encode, decode again and compare
/// equal (`fuzzRoundTrip`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecodeProto3(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    if let problem = fuzzRoundTrip(ProtobufTestMessages_Proto3_TestAllTypesProto3.self, input) {
        fatalError("\(problem); input \(fuzzHex(input))")
    }
    return 0
}

@main
enum FuzzDecodeProto3Main {
    static func main() { fuzzMain(fuzzDecodeProto3) }
}
