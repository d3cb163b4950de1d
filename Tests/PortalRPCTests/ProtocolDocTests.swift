import Testing
import PortalRPC

/// docs/PROTOCOL.md's hex examples are checked against the real server: the documented
/// client bytes are sent, and what the server answers must equal the documented server bytes.
@Suite(.serialized) struct ProtocolDocTests {
    /// `<!-- example NAME client|server -->` followed by a ```hex block.
    static func examples() throws -> [String: [UInt8]] {
        let path = String(#filePath.dropLast("Tests/PortalRPCTests/ProtocolDocTests.swift".count)) + "docs/PROTOCOL.md"
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String: [UInt8]] = [:]
        var i = 0
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("<!-- example "), line.hasSuffix("-->") {
                let key = line.dropFirst("<!-- example ".count).dropLast(3).trimmingCharacters(in: .whitespaces)
                i += 2  // skip the ```hex fence
                var bytes: [UInt8] = []
                while i < lines.count, !lines[i].hasPrefix("```") {
                    let code = lines[i].split(separator: "#", maxSplits: 1).first ?? ""
                    for tok in code.split(separator: " ") { if let b = UInt8(tok, radix: 16) { bytes.append(b) } }
                    i += 1
                }
                out[key] = bytes
            }
            i += 1
        }
        return out
    }

    func hexDump(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
    }

    /// Sends the client bytes of `name` (then `name client 2`, if documented), collects the
    /// given numbers of frames after each, and compares them with the documented server bytes.
    func check(_ name: String, frames: [Int], shutdown: Bool = false) async throws {
        let docs = try Self.examples()
        let first = try #require(docs["\(name) client"], "docs/PROTOCOL.md lacks `<!-- example \(name) client -->`")
        let steps = [first] + (docs["\(name) client 2"].map { [$0] } ?? [])
        var config = ServerConfiguration()
        config.port = 0
        config.eventLoops = 1
        var router = RPCRouter()
        HealthService().registerMethods(with: &router)
        let server = try RPCServer(configuration: config, router: router)
        try server.start()
        let raw = try RawConnection(server.localAddress)
        var answer = FrameEncoder()
        for (step, count) in zip(steps, frames) {
            raw.send(step)
            if shutdown {
                _ = try #require(try await raw.readFrame())  // SETTINGS first, then shut down
                answer.append(.settings, stream: 0, payload: try await settingsPayload(server))
                Task { await server.shutdown(grace: .milliseconds(200)) }
            }
            for _ in 0..<(shutdown ? count - 1 : count) {
                let f = try #require(try await raw.readFrame())
                answer.append(FrameType(rawValue: f.header.typeByte)!, stream: f.header.stream, flags: f.header.flags, payload: f.payload)
            }
        }
        let actual = answer.take()
        #expect(docs["\(name) server"] == actual, "server bytes for \(name): \(hexDump(actual))")
        await server.shutdown(grace: .milliseconds(200))
    }

    /// The SETTINGS payload a default server sends.
    func settingsPayload(_ server: RPCServer) async throws -> [UInt8] {
        var s = Portal_Rpc_V1_Settings()
        s.maxFrameSize = UInt32(server.configuration.maxFrameSize)
        s.maxConcurrentStreams = UInt32(server.configuration.maxConcurrentStreams)
        s.initialWindowSize = UInt32(server.configuration.initialWindowSize)
        s.maxMetadataSize = UInt32(server.configuration.maxMetadataSize)
        return s.serializedBytes()
    }

    @Test func unaryCall() async throws { try await check("unary", frames: [3]) }

    @Test func serverStreamingCallCancelled() async throws { try await check("streaming", frames: [2, 1]) }

    @Test func errorStatus() async throws { try await check("error", frames: [2]) }

    @Test func ping() async throws { try await check("ping", frames: [2]) }

    @Test func goAway() async throws { try await check("goaway", frames: [2], shutdown: true) }
}

import Foundation
