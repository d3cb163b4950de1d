#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PortalModel

// interop-tool: the Swift side of the Python interop check (Tests/Interop/interop.py).
//
// stdin and stdout carry the same framing, repeated until end of input:
//
//     [u32 LE type-name length][type name, UTF-8][u32 LE payload length][payload]
//
// Each payload is decoded with the type `PortalSchema.registry[typeName]`, re-encoded, and
// written back under the same type name, in input order.
//
// Options:
//   --deterministic     re-encode with `serializedBytes(deterministic: true)` (map entries in key order)
//   --roundtrip-check   also assert decode(encode(x)) == x on the Swift side for every record
//   --errors-inline     do not stop at a record that fails: answer it with type name "!error"
//                       (decode failed) or "!roundtrip" (round-trip check failed) and the
//                       reason as payload, and go on
//   --list-types        print every full message name in PortalSchema.messageTypes, one a line
//   --to-json           answer each binary payload with the message's proto3 JSON (failing, as
//                       "!error", when it has none: e.g. a Timestamp out of range)
//   --from-json         read each payload as proto3 JSON and answer with the binary encoding
//
// Exit status: 0 on success; 1 if a record fails to decode (without --errors-inline) or fails
// the round-trip check; 2 for bad usage, an unknown type name or broken framing. The message on
// stderr names the record index (0-based) and type.

struct Options {
    var deterministic = false
    var roundtripCheck = false
    var errorsInline = false
    var listTypes = false
    var toJSON = false
    var fromJSON = false
}

func usage() -> Never {
    fail(2, "usage: interop-tool [--deterministic] [--roundtrip-check] [--errors-inline] [--list-types] [--to-json | --from-json] < records > records")
}

func fail(_ status: Int32, _ message: String) -> Never {
    var text = "interop-tool: " + message + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(status)
}

func readAllStdin() -> [UInt8] {
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n < 0 { fail(2, "read error on stdin (errno \(errno))") }
        if n == 0 { return data }
        data.append(contentsOf: chunk[0..<n])
    }
}

func writeAll(_ bytes: [UInt8]) {
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + done, bytes.count - done) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { fail(2, "write error on stdout (errno \(errno))") }
        done += n
    }
}

func appendFrame(_ payload: [UInt8], to out: inout [UInt8]) {
    let n = UInt32(payload.count)
    out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)])
    out.append(contentsOf: payload)
}

/// decode(encode(x)) == x, where a message holding a NaN (never equal to itself under
/// `Hashable`'s `==`) counts as equal when both deterministic encodings are identical.
func roundTrips<M: ProtoMessage>(_ message: M, deterministic: Bool) -> String? {
    let bytes = message.serializedBytes(deterministic: deterministic)
    let again: M
    do {
        again = try M(serializedBytes: bytes)
    } catch {
        return "re-decoding our own encoding failed: \(error)"
    }
    if again == message { return nil }
    if again.serializedBytes(deterministic: true) == message.serializedBytes(deterministic: true) { return nil }
    return "decode(encode(x)) != x"
}

struct Failure: Error {
    let description: String
}

/// Decodes `payload` as `type` (binary, or JSON with `--from-json`) and returns the
/// re-encoding (binary, or JSON with `--to-json`), or the failure as text.
func process<M: ProtoMessage>(_ type: M.Type, _ payload: [UInt8], _ options: Options) -> Result<[UInt8], Failure> {
    let message: M
    do {
        message = options.fromJSON ? try M(jsonUTF8Bytes: payload) : try M(serializedBytes: payload)
    } catch {
        return .failure(Failure(description: "\(error)"))
    }
    if options.toJSON {
        do {
            return .success(try message.checkedJSONUTF8Bytes())
        } catch {
            return .failure(Failure(description: error.description))
        }
    }
    return .success(message.serializedBytes(deterministic: options.deterministic))
}

func roundTripCheck<M: ProtoMessage>(_ type: M.Type, _ payload: [UInt8], _ options: Options) -> String? {
    guard !options.toJSON, !options.fromJSON, let message = try? M(serializedBytes: payload) else { return nil }
    return roundTrips(message, deterministic: options.deterministic)
}

var options = Options()
for argument in CommandLine.arguments.dropFirst() {
    switch argument {
    case "--deterministic": options.deterministic = true
    case "--roundtrip-check": options.roundtripCheck = true
    case "--errors-inline": options.errorsInline = true
    case "--list-types": options.listTypes = true
    case "--to-json": options.toJSON = true
    case "--from-json": options.fromJSON = true
    case "-h", "--help": usage()
    default: fail(2, "unknown option \(argument)")
    }
}

if options.listTypes {
    var out = ""
    for type in PortalSchema.messageTypes { out += type.protoMessageName + "\n" }
    writeAll(Array(out.utf8))
    exit(0)
}

/// Cuts the input into records; broken framing ends the run with status 2.
struct RecordReader {
    let input: [UInt8]
    var position = 0
    var index = 0

    var isAtEnd: Bool { position >= input.count }

    mutating func frame(_ what: String) -> ArraySlice<UInt8> {
        guard input.count - position >= 4 else {
            fail(2, "record \(index): input ends inside the \(what) length (\(input.count - position) bytes left)")
        }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
            | Int(input[position + 2]) << 16 | Int(input[position + 3]) << 24
        position += 4
        guard input.count - position >= length else {
            fail(2, "record \(index): \(what) length \(length) exceeds the \(input.count - position) bytes left")
        }
        defer { position += length }
        return input[position..<position + length]
    }
}

var reader = RecordReader(input: readAllStdin())
var output: [UInt8] = []
output.reserveCapacity(reader.input.count + reader.input.count / 8)

while !reader.isAtEnd {
    let index = reader.index
    guard let name = String(validating: reader.frame("type name"), as: UTF8.self) else {
        fail(2, "record \(index): type name is not UTF-8")
    }
    let payload = Array(reader.frame("payload"))
    guard let type = PortalSchema.registry[name] else {
        fail(2, "record \(index): unknown message type '\(name)' (not in PortalSchema.registry)")
    }
    switch process(type, payload, options) {
    case .success(let bytes):
        if options.roundtripCheck, let problem = roundTripCheck(type, payload, options) {
            guard options.errorsInline else {
                fail(1, "record \(index) (\(name)): round-trip check failed: \(problem)")
            }
            appendFrame(Array("!roundtrip".utf8), to: &output)
            appendFrame(Array(problem.utf8), to: &output)
        } else {
            appendFrame(Array(name.utf8), to: &output)
            appendFrame(bytes, to: &output)
        }
    case .failure(let error):
        guard options.errorsInline else {
            fail(1, "record \(index) (\(name)): decode failed: \(error)")
        }
        appendFrame(Array("!error".utf8), to: &output)
        appendFrame(Array(error.description.utf8), to: &output)
    }
    reader.index += 1
}
writeAll(output)
