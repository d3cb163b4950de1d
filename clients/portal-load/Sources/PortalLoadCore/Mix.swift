/// The calls the load is made of.
public enum Operation: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// CitizenService.FileComplaint with a fresh idempotency key.
    case file
    /// CitizenService.GetComplaint of one of the citizen's complaints filed while seeding.
    case get
    /// CitizenService.ListMyComplaints (first page).
    case list
    /// OfficerService.GetDashboard as the seeded Deputy Commissioner (all-time figures).
    case dashboard
    /// grpc.health.v1.Health/Check of the whole server.
    case health

    public var description: String {
        switch self {
        case .file: "file"
        case .get: "get"
        case .list: "list"
        case .dashboard: "dashboard"
        case .health: "health"
        }
    }

    public var rpc: String {
        switch self {
        case .file: "CitizenService.FileComplaint"
        case .get: "CitizenService.GetComplaint"
        case .list: "CitizenService.ListMyComplaints"
        case .dashboard: "OfficerService.GetDashboard"
        case .health: "Health.Check"
        }
    }

    public init?(name: String) {
        guard let op = Operation.allCases.first(where: { $0.description == name }) else { return nil }
        self = op
    }

    /// Needs signed-in citizens (and so `--data` for their SMS codes).
    public var needsCitizens: Bool { self == .file || self == .get || self == .list }
    /// Needs the Deputy Commissioner (and so the admin password).
    public var needsOfficer: Bool { self == .dashboard }
}

/// Relative weights of the operations, e.g. `file=20,get=40,list=20,dashboard=5,health=15`.
public struct Mix: Sendable, Equatable, CustomStringConvertible {
    /// Indexed by `Operation.rawValue`.
    public private(set) var weights: [Int]
    private var cumulative: [UInt64]

    public static let defaultSpec = "file=20,get=40,list=20,dashboard=5,health=15"
    public static let `default` = try! Mix(parsing: defaultSpec)

    public init(weights: [Operation: Int]) throws(UsageError) {
        var w = [Int](repeating: 0, count: Operation.allCases.count)
        for (op, weight) in weights {
            guard weight >= 0 else { throw UsageError("--mix: weight of \(op) must not be negative") }
            w[op.rawValue] = weight
        }
        guard w.reduce(0, +) > 0 else { throw UsageError("--mix: at least one weight must be positive") }
        self.weights = w
        var running: UInt64 = 0
        cumulative = w.map { running += UInt64($0); return running }
    }

    /// Parses `name=weight,…`; names: file, get, list, dashboard, health. Unnamed operations
    /// get weight 0.
    public init(parsing spec: String) throws(UsageError) {
        var weights: [Operation: Int] = [:]
        for part in spec.split(separator: ",", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1).map { String($0).trimmed }
            guard pieces.count == 2, !pieces[0].isEmpty else {
                throw UsageError("--mix: '\(part)' is not name=weight (e.g. \(Mix.defaultSpec))")
            }
            guard let op = Operation(name: pieces[0]) else {
                throw UsageError("--mix: unknown operation '\(pieces[0])' (known: \(Operation.allCases.map(\.description).joined(separator: ", ")))")
            }
            guard weights[op] == nil else { throw UsageError("--mix: '\(op)' given twice") }
            guard let w = Int(pieces[1]), w >= 0, w <= 1_000_000 else {
                throw UsageError("--mix: weight of \(op) must be a whole number 0-1000000, not '\(pieces[1])'")
            }
            weights[op] = w
        }
        try self.init(weights: weights)
    }

    public func weight(_ op: Operation) -> Int { weights[op.rawValue] }
    public var total: Int { weights.reduce(0, +) }
    public var operations: [Operation] { Operation.allCases.filter { weight($0) > 0 } }
    public func share(_ op: Operation) -> Double { Double(weight(op)) / Double(total) }

    /// An operation with probability proportional to its weight.
    public func pick<G: RandomNumberGenerator>(using rng: inout G) -> Operation {
        let r = UInt64.random(in: 0..<cumulative[cumulative.count - 1], using: &rng)
        for (i, c) in cumulative.enumerated() where r < c { return Operation(rawValue: i)! }
        return Operation(rawValue: cumulative.count - 1)!
    }

    public var description: String {
        operations.map { "\($0)=\(weight($0))" }.joined(separator: ",")
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " { s = s.dropFirst() }
        while let l = s.last, l == " " { s = s.dropLast() }
        return String(s)
    }
}
