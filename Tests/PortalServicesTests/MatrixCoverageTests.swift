import PortalRPC
import PortalServices
import Testing

/// The security guard across both authorization matrices: every method the portal serves has
/// exactly one matrix row, so a new RPC — or a whole new service — without one fails here.
@Suite struct MatrixCoverageTests {
    @Test func everyServedMethodIsInExactlyOneMatrix() async throws {
        try await withPortal { p in
            var router = RPCRouter()
            p.app.registerServices(with: &router)
            let served = router.methods.map(\.path)
            let rows = AuthorizationMatrix.rows.map(\.method.path) + InfoMatrix.rows.map(\.method.path)
            let duplicated = Dictionary(grouping: rows) { $0 }.filter { $0.value.count > 1 }.keys.sorted()
            #expect(duplicated.isEmpty, "in more than one row: \(duplicated)")
            let missing = Set(served).subtracting(rows).sorted()
            #expect(missing.isEmpty, "served without an authorization-matrix row: \(missing)")
            let stale = Set(rows).subtracting(served).sorted()
            #expect(stale.isEmpty, "matrix rows for methods no longer served: \(stale)")
            #expect(served.count >= 84)  // 47 core + 37 information/e-services methods today
        }
    }
}
