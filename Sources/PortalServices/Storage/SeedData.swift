import Foundation
import PortalModel
import PortalStore

/// The jurisdiction seed: a province, its divisions and districts, departments and complaint
/// categories. The bundled file is Khyber Pakhtunkhwa's; a deployment for another province (or
/// Pakistan-wide) passes its own file of the same shape (`--seed FILE`, see docs/OPERATIONS.md).
struct SeedData: Decodable, Sendable {
    struct Named: Decodable, Sendable {
        var code: String
        var name: String
        var name_urdu: String?
    }
    struct Division: Decodable, Sendable {
        var code: String
        var name: String
        var name_urdu: String?
        var districts: [Named]
    }
    struct Category: Decodable, Sendable {
        var code: String
        var name: String
        var name_urdu: String?
        var department: String
    }

    var format: Int
    var province: Named
    var divisions: [Division]
    var departments: [Named]
    var categories: [Category]

    static func load(path: String?) throws -> SeedData {
        let url: URL
        if let path {
            url = URL(fileURLWithPath: path)
        } else if let bundled = Bundle.module.url(forResource: "khyber-pakhtunkhwa", withExtension: "json", subdirectory: "seed") {
            url = bundled
        } else {
            throw PortalError.internalError("the bundled seed file is missing")
        }
        let seed: SeedData
        do {
            seed = try JSONDecoder().decode(SeedData.self, from: Data(contentsOf: url))
        } catch {
            throw PortalError.invalidArgument(field: "seed file \(url.path)", reason: "cannot be read: \(error)")
        }
        guard seed.format == 1 else {
            throw PortalError.invalidArgument(field: "seed file format", reason: "must be 1")
        }
        return seed
    }

    /// Inserts what is missing (existing rows are left as the admin changed them).
    func apply(_ db: Database) throws {
        try db.run("INSERT OR IGNORE INTO jurisdictions (code, name, name_urdu, tier, parent_code) VALUES (?, ?, ?, 3, NULL)",
                   province.code, province.name, province.name_urdu ?? "")
        for division in divisions {
            try db.run("INSERT OR IGNORE INTO jurisdictions (code, name, name_urdu, tier, parent_code) VALUES (?, ?, ?, 2, ?)",
                       division.code, division.name, division.name_urdu ?? "", province.code)
            for d in division.districts {
                try db.run("INSERT OR IGNORE INTO jurisdictions (code, name, name_urdu, tier, parent_code) VALUES (?, ?, ?, 1, ?)",
                           d.code, d.name, d.name_urdu ?? "", division.code)
            }
        }
        for d in departments {
            try db.run("INSERT OR IGNORE INTO departments (code, name, name_urdu) VALUES (?, ?, ?)", d.code, d.name, d.name_urdu ?? "")
        }
        for c in categories {
            try db.run("INSERT OR IGNORE INTO categories (code, name, name_urdu, department_code) VALUES (?, ?, ?, ?)",
                       c.code, c.name, c.name_urdu ?? "", c.department)
        }
    }
}

extension Directory {
    /// Reads jurisdictions, departments and categories from the store.
    static func load(_ db: Database) throws -> Directory.Snapshot {
        var s = Directory.Snapshot()
        for j in try db.query("SELECT code, name, name_urdu, tier, coalesce(parent_code, '') FROM jurisdictions", [], { r in
            var j = Portal_V1_Jurisdiction()
            j.code = r.text(0); j.name = r.text(1); j.nameUrdu = r.text(2)
            j.tier = Portal_V1_Tier(rawValue: Int32(r.int(3))); j.parentCode = r.text(4)
            return j
        }) { s.jurisdictions[j.code] = j }
        for d in try db.query("SELECT code, name, name_urdu FROM departments", [], { r in
            var d = Portal_V1_Department()
            d.code = r.text(0); d.name = r.text(1); d.nameUrdu = r.text(2)
            return d
        }) { s.departments[d.code] = d }
        for c in try db.query("SELECT code, name, name_urdu, department_code, active FROM categories", [], { r in
            var c = Portal_V1_Category()
            c.code = r.text(0); c.name = r.text(1); c.nameUrdu = r.text(2); c.departmentCode = r.text(3); c.active = r.int(4) != 0
            return c
        }) { s.categories[c.code] = c }
        return s
    }
}
