import FuzzCommon
import PortalModel

/// libFuzzer entry point: the first byte picks a `PortalSchema` message type (see
/// `fuzzSelectType`), the rest is decoded; a decoded message must re-encode, decode again and
/// compare equal (`fuzzRoundTrip`). Anything else is a crash that libFuzzer saves.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard let (type, payload) = fuzzSelectType(input, from: PortalSchema.messageTypes) else { return 0 }
    if let problem = fuzzCheck(type, payload) {
        fatalError("\(problem); input \(fuzzHex(input))")
    }
    return 0
}

@main
enum FuzzDecodeMain {
    static func main() { fuzzMain(fuzzDecode) }
}
