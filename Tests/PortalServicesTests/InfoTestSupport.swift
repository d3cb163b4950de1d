import Foundation
import PortalRPC
import PortalServices
import Testing

/// Clients and request builders for the InfoService, EServicesService and IntegrationService
/// tests.
typealias InfoClient = Portal_V1_InfoService_Client<RPCClient>
typealias EServicesClient = Portal_V1_EServicesService_Client<RPCClient>
typealias IntegrationClient = Portal_V1_IntegrationService_Client<RPCClient>

extension TestPortal {
    var info: InfoClient { InfoClient(transport: client) }
    var eservices: EServicesClient { EServicesClient(transport: client) }
    var integration: IntegrationClient { IntegrationClient(transport: client) }

    /// The portal clock's now plus `offset`, as a timestamp.
    func time(in offset: Duration) -> Google_Protobuf_Timestamp {
        let ms = clock.nowMillis() + offset.components.seconds * 1000 + offset.components.attoseconds / 1_000_000_000_000_000
        return .with { $0.seconds = ms / 1000; $0.nanos = Int32(ms % 1000) * 1_000_000 }
    }

    /// An admin-created API key for a department's back end.
    func integrationKey(department: String, admin: Account? = nil) async throws -> (client: Portal_V1_IntegrationClient, options: RPCCallOptions) {
        let admin = if let admin { admin } else { try await adminAccount() }
        let r = try await eservices.createIntegrationClient(.with { $0.name = "\(department) back end"; $0.departmentCode = department },
                                                            options: admin.options)
        return (r.client!, TestPortal.auth(r.apiKey))
    }

    /// Uploads a small JPEG (a scanned document) for a citizen; returns its id.
    func uploadScan(_ who: RPCCallOptions) async throws -> String {
        try await citizen.uploadAttachment(options: who, requests: Uploads.requests(Uploads.jpeg)).id
    }
}

enum InfoRequests {
    static func announcement(_ category: Portal_V1_AnnouncementCategory = .publicNotice, scope: String, title: String = "Water supply schedule",
                             expires: Google_Protobuf_Timestamp) -> Portal_V1_PublishAnnouncementRequest {
        .with { r in
            r.category = category; r.scopeCode = scope; r.title = title; r.titleUrdu = "پانی کی فراہمی کا شیڈول"
            r.body = "Supply will be suspended on Sunday from 9:00 to 13:00 for repairs."; r.bodyUrdu = "مرمت کے باعث اتوار کو صبح 9 سے دوپہر 1 بجے تک فراہمی معطل رہے گی۔"
            r.expiresAt = expires
        }
    }

    static func poll(scope: String, questions: Int = 1, visibility: Portal_V1_PollResultsVisibility = .afterResponding,
                     opens: Google_Protobuf_Timestamp? = nil, closes: Google_Protobuf_Timestamp) -> Portal_V1_CreatePollRequest {
        .with { r in
            r.title = "Citizen perception survey"; r.scopeCode = scope; r.resultsVisibility = visibility
            r.questions = (0..<questions).map { i in
                .with { q in
                    q.text = i == 0 ? "How satisfied are you with solid waste collection?" : "Question \(i + 1): is your street cleaned daily?"
                    q.textUrdu = "آپ کچرا اٹھانے کی سروس سے کتنے مطمئن ہیں؟"
                    q.options = ["Satisfied", "Neutral", "Not satisfied"].map { t in .with { $0.text = t } }
                }
            }
            r.opensAt = opens
            r.closesAt = closes
        }
    }

    static func item(_ code: String, _ name: String, unit: String, paisa: UInt64) -> Portal_V1_PriceItem {
        .with { $0.commodityCode = code; $0.commodityName = name; $0.unit = unit; $0.pricePaisa = paisa }
    }

    static func priceList(district: String, sugar: UInt64 = 15_000) -> Portal_V1_PublishPriceListRequest {
        .with { r in
            r.districtCode = district
            r.items = [item("wheat-flour", "Wheat flour", unit: "20 kg bag", paisa: 260_000),
                       item("sugar", "Sugar", unit: "kg", paisa: sugar),
                       item("milk", "Fresh milk", unit: "litre", paisa: 20_000)]
        }
    }

    static func posting(_ kind: Portal_V1_PostingKind = .job, place: String, department: String = "HLT",
                        closes: Google_Protobuf_Timestamp) -> Portal_V1_PublishPostingRequest {
        .with { r in
            r.kind = kind; r.title = kind == .tender ? "Repair of the Ring Road culverts" : "Medical Officer (BPS-17)"
            r.departmentCode = department; r.jurisdictionCode = place; r.referenceNumber = "ADV-\(Int.random(in: 1...9999))"
            r.description_p = "Applications are invited for the post described in the advertisement."
            r.eligibility = "MBBS with PMDC registration; domicile of the district."; r.requiredDocuments = ["CNIC", "Degree", "Domicile"]
            r.closesAt = closes; r.positions = kind == .tender ? 0 : 3
        }
    }

    static func domicile(key: String = "dom-\(UUID().uuidString)", attachments: [String]) -> Portal_V1_ApplyForDomicileRequest {
        .with { r in
            r.idempotencyKey = key
            r.domicile = .with { d in
                d.applicantName = "Sana Gul"; d.fatherName = "Gul Muhammad"; d.applicantCnic = "17301-1234567-2"
                d.dateOfBirth = "2001-04-15"; d.placeOfBirth = "Peshawar"; d.permanentAddress = "House 12, Street 4, Gulbahar, Peshawar"
                d.residentSinceYear = 2001
            }
            r.attachmentIds = attachments
        }
    }
}

/// What a test keeps of a message-box message.
struct MessageSeen: Equatable, Sendable {
    var kind: Portal_V1_MessageKind
    var reference: String
    var text: String
    init(_ m: Portal_V1_CitizenMessage) { kind = m.kind; reference = m.referenceCode; text = m.text }
}

/// Expects `call` to fail with `code` and a message that starts with `<field>: ` (for
/// INVALID_ARGUMENT) or just with `code`.
func expectRefused<T>(_ label: String, _ code: Status.Code = .invalidArgument, field: String? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation, _ call: () async throws -> T) async {
    do {
        _ = try await call()
        Issue.record("\(label): accepted", sourceLocation: sourceLocation)
    } catch let e as RPCError {
        #expect(e.code == code, "\(label): \(e)", sourceLocation: sourceLocation)
        if let field {
            #expect(e.message.hasPrefix("\(field): "), "\(label): message \"\(e.message)\" does not start with \"\(field): \"",
                    sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("\(label): failed with \(error)", sourceLocation: sourceLocation)
    }
}
