import Testing
@testable import PortalModel
