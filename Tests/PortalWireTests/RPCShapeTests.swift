import Testing
import PortalWire

@Suite struct RPCShapeTests {
    @Test func methodPathIsGRPCStyle() {
        let m = MethodDescriptor(service: "portal.v1.CitizenService", method: "FileComplaint", kind: .clientStreaming,
                                 requestType: "portal.v1.FileComplaintRequest", responseType: "portal.v1.Complaint")
        #expect(m.path == "/portal.v1.CitizenService/FileComplaint")
        #expect(m.kind.clientStreams && !m.kind.serverStreams)
    }

    @Test func metadataKeysAreCaseInsensitive() {
        var md: RPCMetadata = ["Authorization": "Bearer abc"]
        md.add("X-Request-Id", "1")
        #expect(md["authorization"] == "Bearer abc")
        #expect(md["x-request-id"] == "1")
        #expect(md["missing"] == nil)
    }
}
