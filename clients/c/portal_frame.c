/* Frame headers and deadline-bounded socket I/O (docs/PROTOCOL.md section 2). */
#include "portal_frame.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

void prpc_put_u32(uint8_t out[4], uint32_t v) {
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

uint32_t prpc_get_u32(const uint8_t in[4]) {
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | (uint32_t)in[3];
}

void prpc_header_encode(uint8_t out[PRPC_HEADER_LEN], uint32_t length, uint32_t stream,
                        uint8_t type, uint8_t flags) {
    prpc_put_u32(out, length);
    prpc_put_u32(out + 4, stream);
    out[8] = type;
    out[9] = flags;
    out[10] = 0;
    out[11] = 0;
}

void prpc_header_decode(const uint8_t in[PRPC_HEADER_LEN], prpc_frame_header *h) {
    h->length = prpc_get_u32(in);
    h->stream = prpc_get_u32(in + 4);
    h->type = in[8];
    h->flags = in[9];
    h->reserved = (uint16_t)(in[10] << 8 | in[11]);
}

int64_t prpc_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for `events` or the deadline passes: 1 ready, 0 timeout, -1 error. */
static int wait_ready(int fd, short events, int64_t deadline_ms) {
    for (;;) {
        int64_t left = deadline_ms - prpc_now_ms();
        if (left < 0) left = 0;
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        int n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n > 0) return 1;
        if (prpc_now_ms() >= deadline_ms) return 0;
    }
}

/* Reads into buf[*have..want) until full, the deadline, EOF or an error. */
static prpc_read_result fill(int fd, uint8_t *buf, size_t *have, size_t want, int64_t deadline_ms) {
    while (*have < want) {
        int ready = wait_ready(fd, POLLIN, deadline_ms);
        if (ready == 0) return PRPC_READ_TIMEOUT;
        if (ready < 0) return PRPC_READ_ERROR;
        ssize_t n = recv(fd, buf + *have, want - *have, 0);
        if (n == 0) return PRPC_READ_EOF;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            return PRPC_READ_ERROR;
        }
        *have += (size_t)n;
    }
    return PRPC_READ_FRAME;
}

void prpc_reader_reset(prpc_frame_reader *r) {
    free(r->payload);
    r->payload = NULL;
    r->header_have = 0;
    r->payload_have = 0;
}

prpc_read_result prpc_read_frame(int fd, prpc_frame_reader *r, int64_t deadline_ms,
                                 prpc_frame_header *h, uint8_t **payload) {
    prpc_read_result res = fill(fd, r->header, &r->header_have, PRPC_HEADER_LEN, deadline_ms);
    if (res != PRPC_READ_FRAME) return res;
    prpc_header_decode(r->header, h);
    if (h->length > r->max_payload) return PRPC_READ_TOO_LARGE;
    if (h->length > 0 && r->payload == NULL) {
        r->payload = malloc(h->length);
        if (r->payload == NULL) return PRPC_READ_NOMEM;
        r->payload_have = 0;
    }
    if (h->length > 0) {
        res = fill(fd, r->payload, &r->payload_have, h->length, deadline_ms);
        if (res != PRPC_READ_FRAME) return res;
    }
    *payload = r->payload;      /* ownership moves to the caller */
    r->payload = NULL;
    r->header_have = 0;
    r->payload_have = 0;
    return PRPC_READ_FRAME;
}

/* Sends the iovecs completely (adjusting them as it goes). */
static int send_iov(int fd, struct iovec *iov, int count, int64_t deadline_ms) {
    while (count > 0) {
        if (iov->iov_len == 0) {
            iov++;
            count--;
            continue;
        }
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)count;
        ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
            int ready = wait_ready(fd, POLLOUT, deadline_ms);
            if (ready == 0) errno = ETIMEDOUT;
            if (ready <= 0) return -1;
            continue;
        }
        size_t sent = (size_t)n;
        while (count > 0 && sent >= iov->iov_len) {
            sent -= iov->iov_len;
            iov++;
            count--;
        }
        if (count > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + sent;
            iov->iov_len -= sent;
        }
    }
    return 0;
}

int prpc_write_all(int fd, const void *data, size_t len, int64_t deadline_ms) {
    struct iovec iov = {.iov_base = (void *)(uintptr_t)data, .iov_len = len};
    return send_iov(fd, &iov, 1, deadline_ms);
}

int prpc_write_frame(int fd, uint32_t stream, uint8_t type, uint8_t flags,
                     const uint8_t *payload, size_t len, int64_t deadline_ms) {
    uint8_t header[PRPC_HEADER_LEN];
    prpc_header_encode(header, (uint32_t)len, stream, type, flags);
    struct iovec iov[2] = {
        {.iov_base = header, .iov_len = sizeof header},
        {.iov_base = (void *)(uintptr_t)payload, .iov_len = payload ? len : 0},
    };
    return send_iov(fd, iov, 2, deadline_ms);
}
