import FuzzCommon
import PortalRPC

/// libFuzzer entry point: byte 0 picks the limits, then a chunk plan, then the bytes a peer
/// sends; `frameFuzzCheck` (FrameFuzzCheck.swift, which also says what it checks) feeds them
/// to `FrameDecoder` whole, in the planned chunks and a byte at a time, compares each run
/// with a whole-input reference decoder, and runs the frames through a model of the server's
/// connection rules. A violation is a crash that libFuzzer saves.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    if let problem = frameFuzzCheck(Array(input)) {
        fatalError("\(problem); input \(fuzzHex(input))")
    }
    return 0
}

@main
enum FuzzFrameDecoderMain {
    static func main() { fuzzMain(fuzzFrameDecoder) }
}
