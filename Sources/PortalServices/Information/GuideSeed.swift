import Foundation
import PortalModel
import PortalStore

/// The bundled starter set of "How do I?" guides (`Resources/seed/guides.json`, field names
/// as in `portal.v1.Guide`). Loaded once, by the migration that creates the guides table,
/// with the same validation as UpsertGuide; admins maintain them from then on.
enum GuideSeed {
    struct Office: Decodable {
        var name: String
        var address: String?
        var district_code: String?
        var hours: String?
        var phone: String?
    }

    struct Entry: Decodable {
        var code: String
        var title: String
        var title_urdu: String?
        var summary: String
        var summary_urdu: String?
        var department_code: String?
        var steps: [String]
        var steps_urdu: [String]?
        var required_documents: [String]?
        var required_documents_urdu: [String]?
        var offices: [Office]?
        var fee: String
        var fee_urdu: String?
        var processing_time: String?
        var processing_time_urdu: String?
        var keywords: [String]?
        var online_service: String?

        var guide: Portal_V1_Guide {
            var g = Portal_V1_Guide()
            g.code = code; g.title = title; g.titleUrdu = title_urdu ?? ""; g.summary = summary; g.summaryUrdu = summary_urdu ?? ""
            g.departmentCode = department_code ?? ""; g.steps = steps; g.stepsUrdu = steps_urdu ?? []
            g.requiredDocuments = required_documents ?? []; g.requiredDocumentsUrdu = required_documents_urdu ?? []
            g.offices = (offices ?? []).map { o in
                var office = Portal_V1_GuideOffice()
                office.name = o.name; office.address = o.address ?? ""; office.districtCode = o.district_code ?? ""
                office.hours = o.hours ?? ""; office.phone = o.phone ?? ""
                return office
            }
            g.fee = fee; g.feeUrdu = fee_urdu ?? ""; g.processingTime = processing_time ?? ""
            g.processingTimeUrdu = processing_time_urdu ?? ""; g.keywords = keywords ?? []; g.onlineService = online_service ?? ""
            return g
        }
    }

    static func bundled() throws -> [Portal_V1_Guide] {
        guard let url = Bundle.module.url(forResource: "guides", withExtension: "json", subdirectory: "seed") else {
            throw PortalError.internalError("the bundled guides file is missing")
        }
        do {
            return try JSONDecoder().decode([Entry].self, from: Data(contentsOf: url)).map(\.guide)
        } catch {
            throw PortalError.invalidArgument(field: "guides file \(url.path)", reason: "cannot be read: \(error)")
        }
    }

    /// Validates and saves each guide. The migration runs before the jurisdiction seed on a
    /// new database, so department and district codes are not checked here (the tests check
    /// the bundled ones against the bundled jurisdiction seed).
    static func apply(_ db: Database, guides: [Portal_V1_Guide], at now: Int64) throws {
        for g in guides { try Guides.save(db, try Guides.validate(g, directory: nil), at: now) }
    }
}
