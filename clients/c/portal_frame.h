/* Frames of the CitizenPortal binary protocol (docs/PROTOCOL.md section 2) and the blocking
 * socket I/O under them: the 12-byte header, a frame reader that survives timeouts without
 * losing its place, and writes bounded by a deadline. No protobuf here. */
#ifndef PORTAL_FRAME_H
#define PORTAL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define PRPC_PREFACE "PRPC\r\n\x1a\x01"
#define PRPC_PREFACE_LEN 8
#define PRPC_HEADER_LEN 12

/* Frame types. */
enum {
    PRPC_FRAME_SETTINGS = 1,
    PRPC_FRAME_CALL = 2,
    PRPC_FRAME_MESSAGE = 3,
    PRPC_FRAME_STATUS = 4,
    PRPC_FRAME_CANCEL = 5,
    PRPC_FRAME_WINDOW_UPDATE = 6,
    PRPC_FRAME_PING = 7,
    PRPC_FRAME_GOAWAY = 8
};

/* Frame flags. */
enum {
    PRPC_FLAG_END_STREAM = 0x01,
    PRPC_FLAG_ACK = 0x02,
    PRPC_FLAG_EMPTY = 0x04
};

/* Defaults of section 1 (a zero SETTINGS field means these). */
#define PRPC_DEFAULT_MAX_FRAME_SIZE (4u << 20)
#define PRPC_DEFAULT_MAX_CONCURRENT_STREAMS 1024u
#define PRPC_DEFAULT_INITIAL_WINDOW (1u << 20)
#define PRPC_DEFAULT_MAX_METADATA_SIZE 16384u
#define PRPC_MIN_MAX_FRAME_SIZE 16384u
#define PRPC_CONNECTION_WINDOW (16u << 20)
#define PRPC_MAX_WINDOW 0x7fffffffu

typedef struct prpc_frame_header {
    uint32_t length;
    uint32_t stream;
    uint8_t type;
    uint8_t flags;
    uint16_t reserved;
} prpc_frame_header;

void prpc_header_encode(uint8_t out[PRPC_HEADER_LEN], uint32_t length, uint32_t stream,
                        uint8_t type, uint8_t flags);
void prpc_header_decode(const uint8_t in[PRPC_HEADER_LEN], prpc_frame_header *h);
void prpc_put_u32(uint8_t out[4], uint32_t v);
uint32_t prpc_get_u32(const uint8_t in[4]);

/* Milliseconds on the monotonic clock; deadlines are absolute values of it. */
int64_t prpc_now_ms(void);

/* Reads frames from a socket across calls: a timeout in the middle of a frame keeps what was
 * read, so the next call goes on where this one stopped. */
typedef struct prpc_frame_reader {
    uint8_t header[PRPC_HEADER_LEN];
    size_t header_have;
    uint8_t *payload;   /* allocated once the header is complete */
    size_t payload_have;
    uint32_t max_payload;
} prpc_frame_reader;

typedef enum prpc_read_result {
    PRPC_READ_FRAME = 0,    /* a whole frame: *h and *payload (malloc'd, NULL when empty) */
    PRPC_READ_TIMEOUT,      /* the deadline passed first */
    PRPC_READ_EOF,          /* the peer closed the connection */
    PRPC_READ_ERROR,        /* recv/poll failed: errno is set */
    PRPC_READ_TOO_LARGE,    /* the header announced more than max_payload bytes */
    PRPC_READ_NOMEM
} prpc_read_result;

prpc_read_result prpc_read_frame(int fd, prpc_frame_reader *r, int64_t deadline_ms,
                                 prpc_frame_header *h, uint8_t **payload);
void prpc_reader_reset(prpc_frame_reader *r);

/* Writes all bytes before the deadline. Returns 0, or -1 with errno set (ETIMEDOUT on the
 * deadline). A partial write leaves the connection unusable. */
int prpc_write_all(int fd, const void *data, size_t len, int64_t deadline_ms);

/* Header and payload in one write. */
int prpc_write_frame(int fd, uint32_t stream, uint8_t type, uint8_t flags,
                     const uint8_t *payload, size_t len, int64_t deadline_ms);

#endif
