import Testing
@testable import PortalWire
