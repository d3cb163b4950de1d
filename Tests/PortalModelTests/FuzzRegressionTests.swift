import Foundation
import PortalModel
import Testing

// Replays the FuzzDecode inputs in the normal test run: every file in
// Tests/PortalModelTests/FuzzRegressions/ (inputs that once crashed the fuzzer or broke its
// round-trip check) and in FuzzTesting/Corpus/FuzzDecode/ (the committed seed corpus) goes
// through exactly what the fuzzer does with it. Files are found relative to this source file,
// so no resources need copying. See FuzzTesting/README.md.

@Suite struct FuzzRegressionTests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let regressionsDirectory = testsDirectory.appendingPathComponent("FuzzRegressions")
    static let corpusDirectory = testsDirectory
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzTesting/Corpus/FuzzDecode")

    /// Every input file (not README.md) of a directory, sorted, as "<directory>/<name>".
    static func inputs(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
            .map { directory.lastPathComponent + "/" + $0 }
    }

    static let regressionInputs = inputs(in: regressionsDirectory)
    static let corpusInputs = inputs(in: corpusDirectory)

    static func contents(of input: String) throws -> [UInt8] {
        let base = input.hasPrefix("FuzzRegressions/") ? testsDirectory : corpusDirectory.deletingLastPathComponent()
        let url = base.appendingPathComponent(input)
        return [UInt8](try Data(contentsOf: url))
    }

    @Test func inputsAreFound() {
        // Guards against the replay silently checking nothing after a move.
        #expect(Self.corpusInputs.count >= 20, "seed corpus not found at \(Self.corpusDirectory.path)")
        #expect(FileManager.default.fileExists(atPath: Self.regressionsDirectory.path))
    }

    @Test(arguments: regressionInputs)
    func regression(_ input: String) throws {
        try replay(input)
    }

    @Test(arguments: corpusInputs)
    func corpus(_ input: String) throws {
        try replay(input)
    }

    func replay(_ input: String) throws {
        let bytes = try Self.contents(of: input)
        try bytes.withUnsafeBytes { raw in
            let (type, payload) = try #require(fuzzSelectType(raw, from: PortalSchema.messageTypes))
            let problem = fuzzCheck(type, payload)
            #expect(problem == nil, "\(input) (\(type.protoMessageName)): \(problem ?? "")")
        }
    }
}

// MARK: - Shared with FuzzTesting/Sources/FuzzCommon/FuzzCommon.swift
//
// Duplicated on purpose, unchanged, from the fuzzer (this package cannot depend on the
// FuzzTesting package), so each input is replayed exactly as the fuzzer ran it. Change both
// copies together.

/// The FuzzDecode input rule: the first byte picks the message type,
/// `types[Int(firstByte) % types.count]`, and the remaining bytes are the payload. An empty
/// input picks nothing.
///
/// With `PortalSchema.messageTypes` as `types`, a regression file therefore names its type by
/// index in that (generated, schema-ordered) list; adding a message to Schema/ can move later
/// types, which only changes which type old corpus files exercise, never whether they run.
func fuzzSelectType(
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
func fuzzRoundTrip<M: ProtoMessage>(_ type: M.Type, _ payload: UnsafeRawBufferPointer) -> String? {
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
func fuzzCheck(_ type: any ProtoMessage.Type, _ payload: UnsafeRawBufferPointer) -> String? {
    fuzzRoundTrip(type, payload)
}
