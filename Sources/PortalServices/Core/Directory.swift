import PortalModel
import Synchronization

/// Jurisdictions, departments and categories, held in memory (a few hundred rows) so every
/// scope check is a dictionary lookup. Loaded from the store at start and updated by the
/// admin calls after their commit.
public final class Directory: Sendable {
    public struct Snapshot: Sendable {
        public var jurisdictions: [String: Portal_V1_Jurisdiction] = [:]
        public var departments: [String: Portal_V1_Department] = [:]
        public var categories: [String: Portal_V1_Category] = [:]
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func replace(_ snapshot: Snapshot) { state.withLock { $0 = snapshot } }

    public func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }

    public func jurisdiction(_ code: String) -> Portal_V1_Jurisdiction? { state.withLock { $0.jurisdictions[code] } }
    public func category(_ code: String) -> Portal_V1_Category? { state.withLock { $0.categories[code] } }
    public func department(_ code: String) -> Portal_V1_Department? { state.withLock { $0.departments[code] } }

    /// A district by code, or INVALID_ARGUMENT naming `field`.
    public func district(_ code: String, field: String) throws(PortalError) -> Portal_V1_Jurisdiction {
        guard !code.isEmpty else { throw .missing(field) }
        guard let j = jurisdiction(code), j.tier == .district else {
            throw .invalidArgument(field: field, reason: "is not a known district")
        }
        return j
    }

    /// The chain from a jurisdiction up to the province: [district, division, province].
    public func ancestry(of code: String) -> [String] {
        state.withLock { s in
            var chain: [String] = []
            var current: String? = code
            while let c = current, let j = s.jurisdictions[c], chain.count < 8 {
                chain.append(c)
                current = j.parentCode.isEmpty ? nil : j.parentCode
            }
            return chain
        }
    }

    /// Whether `inner` lies inside (or is) `outer`.
    public func contains(_ outer: String, _ inner: String) -> Bool {
        ancestry(of: inner).contains(outer)
    }

    /// Every district inside a jurisdiction (itself, if it is one).
    public func districts(within code: String) -> [String] {
        state.withLock { s in
            s.jurisdictions.values.filter { j in
                guard j.tier == .district else { return false }
                var current: String? = j.code
                var depth = 0
                while let c = current, depth < 8 {
                    if c == code { return true }
                    current = s.jurisdictions[c].flatMap { $0.parentCode.isEmpty ? nil : $0.parentCode }
                    depth += 1
                }
                return false
            }.map(\.code).sorted()
        }
    }
}
