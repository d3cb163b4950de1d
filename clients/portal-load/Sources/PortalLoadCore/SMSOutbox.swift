/// Reads verification codes from a development server's SMS outbox, `<data>/sms-outbox.log`:
/// one line per SMS, `<unix-ms>\t<+923XXXXXXXXX>\t<text>`, the text containing the 6-digit
/// code ("Citizen Portal verification code: 123456. It expires …"). This is the only thing
/// portal-load reads from the server's data folder.
public struct SMSOutbox: Sendable {
    public let path: String

    public init(dataDirectory: String) {
        path = dataDirectory.hasSuffix("/") ? dataDirectory + "sms-outbox.log" : dataDirectory + "/sms-outbox.log"
    }

    /// The file's current size (0 if it does not exist yet: the server creates it on the
    /// first SMS). Codes are read from here on, so earlier runs' lines are skipped.
    public var currentSize: Int { Files.size(path) ?? 0 }

    /// The latest code per mobile number in the lines from `offset` on.
    public func codes(from offset: Int) -> [String: String] {
        guard let bytes = Files.read(path, from: offset) else { return [:] }
        return Self.parse(bytes)
    }

    /// The latest code per mobile number (+923…) in outbox text. Lines that do not parse, and
    /// a torn last line, are skipped.
    public static func parse(_ bytes: [UInt8]) -> [String: String] {
        var codes: [String: String] = [:]
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let fields = line.split(separator: UInt8(ascii: "\t"), maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let mobile = String(decoding: fields[1], as: UTF8.self)
            if let code = code(in: String(decoding: fields[2], as: UTF8.self)) { codes[mobile] = code }
        }
        return codes
    }

    /// The first word of exactly six digits (a trailing '.' or ',' allowed) in an SMS text.
    public static func code(in text: String) -> String? {
        for word in text.split(separator: " ") {
            var w = Substring(word)
            if let last = w.last, last == "." || last == "," { w = w.dropLast() }
            if w.count == 6 && w.allSatisfy({ $0.isASCII && $0.isNumber }) { return String(w) }
        }
        return nil
    }
}
