import PortalModel
import PortalRPC
import PortalSecurity
import PortalStore
#if canImport(Glibc)
import Glibc
#endif

/// Photo, audio and video uploads over a client-streaming call: a header announcing kind and
/// size, then chunks. The kind is decided by the content's magic bytes (the header's claim must
/// agree), sizes are capped per kind, the file is stored under the data folder by a generated
/// name (never a client-supplied one), fsynced, and only then recorded. A citizen may hold at
/// most `maxPendingUploads` uploads not yet attached to a complaint.
struct AttachmentUploads: Sendable {
    let core: PortalCore
    static let maxChunk = 1 << 20
    static let maxPendingUploads = 50

    enum Owner: Sendable {
        case citizen(Int64)
        case staff(Int64)
    }

    func upload(_ requests: RPCStream<Portal_V1_UploadAttachmentRequest>, owner: Owner) async throws(PortalError) -> Portal_V1_Attachment {
        let (ownerColumn, ownerID) = switch owner {
        case .citizen(let id): ("citizen_id", id)
        case .staff(let id): ("staff_id", id)
        }
        let pending = try await core.read { db in
            try db.queryOne("SELECT count(*) FROM attachments WHERE \(ownerColumn) = ? AND complaint_id IS NULL", [ownerID]) { $0.int(0) } ?? 0
        }
        guard pending < Self.maxPendingUploads else {
            throw .resourceExhausted("\(Self.maxPendingUploads) uploads are waiting to be attached; file or answer first")
        }

        var iterator = requests.makeAsyncIterator()
        let header: Portal_V1_AttachmentUploadHeader
        do {
            guard case .header(let h)? = try await iterator.next()?.part else {
                throw PortalError.invalidArgument(field: "header", reason: "the first message must be the upload header")
            }
            header = h
        } catch { throw PortalError(error) }
        let cap: UInt64
        switch header.kind {
        case .photo: cap = core.configuration.maxPhotoBytes
        case .audio: cap = core.configuration.maxAudioBytes
        case .video: cap = core.configuration.maxVideoBytes
        default: throw .invalidArgument(field: "header.kind", reason: "must be photo, audio or video")
        }
        guard header.sizeBytes > 0 else { throw .missing("header.size_bytes") }
        guard header.sizeBytes <= cap else { throw .invalidArgument(field: "header.size_bytes", reason: "exceeds the \(cap >> 20) MiB limit for this kind") }

        // The file is opened, written, fsynced and renamed on the core's file threads: the disk
        // may be slow, and this handler runs on its connection's event loop.
        let id = SecureRandom.token(bytes: 18)
        let directory = core.configuration.attachmentsDirectory
        let temporary = "\(directory)/.upload-\(id)"
        let fd = try await core.onFileThread { () throws -> Int32 in
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw PortalError.unavailable("attachment storage unavailable") }
            return fd
        }
        let stored: Stored
        do {
            stored = try await receive(&iterator, header, into: fd, temporary: temporary, final: "\(directory)/\(id)")
        } catch {
            // No half-written file is left behind, by the time the caller hears of the refusal.
            await core.fileWorkOrHere { close(fd); unlink(temporary) }
            throw error
        }
        await core.fileWorkOrHere { close(fd) }

        let media = stored.media, sha = stored.sha256, size = stored.size
        let now = core.now()
        do {
            _ = try await core.write { db in
                try db.run("INSERT INTO attachments (id, \(ownerColumn), kind, content_type, size_bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           id, ownerID, Int64(header.kind.rawValue), media.contentType, Int64(size), sha, now)
            }
        } catch {
            let path = "\(directory)/\(id)"
            await core.fileWorkOrHere { unlink(path) }
            throw PortalError(error)
        }
        var a = Portal_V1_Attachment()
        a.id = id
        a.kind = header.kind
        a.contentType = media.contentType
        a.sizeBytes = size
        a.sha256 = sha
        return a
    }

    private struct Stored {
        var media: SniffedMedia
        var size: UInt64
        var sha256: [UInt8]
    }

    /// Reads the chunks after the header into `fd`, checking sizes and content, then fsyncs the
    /// file and renames it from `temporary` to `final`.
    private func receive(_ iterator: inout RPCStream<Portal_V1_UploadAttachmentRequest>.AsyncIterator,
                         _ header: Portal_V1_AttachmentUploadHeader, into fd: Int32,
                         temporary: String, final: String) async throws(PortalError) -> Stored {
        var digest = SHA256()
        var received: UInt64 = 0
        var prefix: [UInt8] = []
        var sniffed: SniffedMedia?
        do {
            while let message = try await iterator.next() {
                guard case .chunk(let chunk)? = message.part else {
                    throw PortalError.invalidArgument(field: "header", reason: "only the first message may be a header")
                }
                guard chunk.count <= Self.maxChunk else { throw PortalError.invalidArgument(field: "chunk", reason: "chunks are at most 1 MiB") }
                guard received + UInt64(chunk.count) <= header.sizeBytes else {
                    throw PortalError.invalidArgument(field: "chunk", reason: "more bytes than header.size_bytes")
                }
                if sniffed == nil {
                    prefix.append(contentsOf: chunk.prefix(MediaSniffer.prefixLength - prefix.count))
                    if prefix.count >= min(MediaSniffer.prefixLength, Int(header.sizeBytes)) {
                        sniffed = try Self.check(prefix, claimed: header.kind)
                    }
                }
                // Hashed where it is written: a chunk is up to 1 MiB, and this handler runs on
                // its connection's event loop, which must not spend milliseconds on it.
                let hashed = digest
                digest = try await core.onFileThread {
                    var d = hashed
                    d.update(chunk)
                    guard writeAll(fd, chunk) else { throw PortalError.unavailable("attachment storage unavailable") }
                    return d
                }
                received += UInt64(chunk.count)
            }
        } catch { throw PortalError(error) }
        guard received == header.sizeBytes else {
            throw .invalidArgument(field: "chunk", reason: "the upload ended after \(received) of \(header.sizeBytes) bytes")
        }
        let media: SniffedMedia
        if let sniffed { media = sniffed } else { media = try Self.check(prefix, claimed: header.kind) }
        try await core.onFileThread {
            guard fsync(fd) == 0, rename(temporary, final) == 0 else {
                throw PortalError.unavailable("attachment storage unavailable")
            }
        }
        return Stored(media: media, size: received, sha256: digest.finalize())
    }

    private static func check(_ prefix: [UInt8], claimed: Portal_V1_AttachmentKind) throws(PortalError) -> SniffedMedia {
        guard let media = MediaSniffer.sniff(prefix) else {
            throw .invalidArgument(field: "chunk", reason: "the content is not a supported photo, audio or video format")
        }
        let kind: Portal_V1_AttachmentKind = switch media.kind {
        case .photo: .photo
        case .audio: .audio
        case .video: .video
        }
        guard kind == claimed else {
            throw .invalidArgument(field: "header.kind", reason: "does not match the content (\(media.contentType))")
        }
        return media
    }
}
