/// A WGS 84 position a citizen attaches to a complaint.
public struct GeoPoint: Sendable, Hashable, CustomStringConvertible {
    public let latitude: Double
    public let longitude: Double

    /// Accepts finite latitude in -90...90 and longitude in -180...180.
    public init(latitude: Double, longitude: Double, field: String = "location") throws(ValidationError) {
        guard latitude.isFinite, (-90.0...90.0).contains(latitude) else {
            throw ValidationError(field: field, reason: "latitude must be between -90 and 90")
        }
        guard longitude.isFinite, (-180.0...180.0).contains(longitude) else {
            throw ValidationError(field: field, reason: "longitude must be between -180 and 180")
        }
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Inside Pakistan's bounding box (lat 23.5…37.2, lon 60.8…77.9). A coarse sanity check
    /// for complaint locations: it includes slivers of neighbouring countries, and says
    /// nothing about which district a point lies in.
    public var isInPakistanBounds: Bool {
        Self.isInPakistanBounds(latitude: latitude, longitude: longitude)
    }

    public static func isInPakistanBounds(latitude: Double, longitude: Double) -> Bool {
        (23.5...37.2).contains(latitude) && (60.8...77.9).contains(longitude)
    }

    public var description: String { "\(latitude),\(longitude)" }
}
