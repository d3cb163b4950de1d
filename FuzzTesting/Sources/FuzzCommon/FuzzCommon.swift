#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibFuzzer
import PortalWire

// What the fuzz targets share. Both functions are duplicated, on purpose and unchanged, in
// Tests/PortalModelTests/FuzzRegressionTests.swift (the root package cannot depend on this
// package), so the normal test run replays crash inputs exactly as the fuzzer ran them.
// Change them in both places together.

/// The FuzzDecode input rule: the first byte picks the message type,
/// `types[Int(firstByte) % types.count]`, and the remaining bytes are the payload. An empty
/// input picks nothing.
///
/// With `PortalSchema.messageTypes` as `types`, a regression file therefore names its type by
/// index in that (generated, schema-ordered) list; adding a message to Schema/ can move later
/// types, which only changes which type old corpus files exercise, never whether they run.
public func fuzzSelectType(
    _ input: UnsafeRawBufferPointer, from types: [any ProtoMessage.Type]
) -> (type: any ProtoMessage.Type, payload: UnsafeRawBufferPointer)? {
    guard let first = input.first, !types.isEmpty else { return nil }
    return (types[Int(first) % types.count], UnsafeRawBufferPointer(rebasing: input.dropFirst()))
}

/// Decodes `payload` as `M`; if that succeeds, re-encodes (plain, deterministic and through
/// `append(to:)`) and decodes again. Returns nil when the input is rejected or everything
/// holds, otherwise what broke:
///
/// - the encoding has the length `encodedSize` promised, and `append(to:)` writes the same bytes;
/// - our own encoding decodes again;
/// - the re-decoded message equals the first one. A message holding a NaN is never `==` to
///   itself (`Hashable` compares `Double`s with IEEE `==`), so messages whose deterministic
///   encodings are identical also count as equal;
/// - the deterministic encoding is a fixed point: re-encoding the re-decoded message
///   deterministically gives the same bytes.
public func fuzzRoundTrip<M: ProtoMessage>(_ type: M.Type, _ payload: UnsafeRawBufferPointer) -> String? {
    let first: M
    do {
        first = try M(serializedBytes: payload)
    } catch {
        return nil  // rejecting malformed input is fine
    }
    let canonical = first.serializedBytes(deterministic: true)
    for deterministic in [false, true] {
        let mode = deterministic ? "deterministic" : "plain"
        let bytes = first.serializedBytes(deterministic: deterministic)
        if bytes.count != first.encodedSize {
            return "\(M.protoMessageName): \(mode) encoding has \(bytes.count) bytes, encodedSize says \(first.encodedSize)"
        }
        var appended: [UInt8] = [0xAB]
        first.append(to: &appended, deterministic: deterministic)
        if appended[0] != 0xAB || Array(appended.dropFirst()) != bytes {
            return "\(M.protoMessageName): append(to:) (\(mode)) wrote other bytes than serializedBytes"
        }
        let second: M
        do {
            second = try M(serializedBytes: bytes)
        } catch {
            return "\(M.protoMessageName): our own \(mode) encoding does not decode: \(error)"
        }
        if second != first && second.serializedBytes(deterministic: true) != canonical {
            return "\(M.protoMessageName): decode(encode(x)) != x (\(mode))"
        }
        if second.serializedBytes(deterministic: true) != canonical {
            return "\(M.protoMessageName): deterministic encoding is not a fixed point (\(mode))"
        }
    }
    return nil
}

/// `fuzzRoundTrip` for a type chosen at run time (opens the existential).
public func fuzzCheck(_ type: any ProtoMessage.Type, _ payload: UnsafeRawBufferPointer) -> String? {
    fuzzRoundTrip(type, payload)
}

/// Hex of a buffer, for crash messages.
public func fuzzHex(_ bytes: UnsafeRawBufferPointer) -> String {
    let digits = Array("0123456789abcdef")
    var out = ""
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xF)])
    }
    return out
}

/// Runs libFuzzer with the process arguments and `testOneInput` as the target; never returns.
/// Called from each fuzz executable's `@main` (SwiftPM gives executables a Swift `main`, so
/// libFuzzer's own `main` is not the entry point).
public func fuzzMain(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}
