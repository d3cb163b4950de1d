/* Opening and closing a connection: TCP connect with a timeout, the preface and SETTINGS
 * exchange (docs/PROTOCOL.md section 1), PING, GOAWAY on close, and the connection's
 * accessors. Frame dispatch is in portal_rpc.c. */
#include "portal_rpc_internal.h"

#include "portal/rpc/v1/wire.pb-c.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_WAIT_MS 10000

/* One address: a non-blocking connect bounded by the deadline. Returns the fd or -1. */
static int connect_one(const struct addrinfo *ai, int64_t deadline_ms, int *err) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) goto fail;
        struct pollfd p = {.fd = fd, .events = POLLOUT, .revents = 0};
        int64_t left = deadline_ms - prpc_now_ms();
        int n = poll(&p, 1, left > 0 ? (int)left : 0);
        if (n == 0) errno = ETIMEDOUT;
        if (n <= 0) goto fail;
        int so = 0;
        socklen_t len = sizeof so;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len) != 0) goto fail;
        if (so != 0) {
            errno = so;
            goto fail;
        }
    }
    fcntl(fd, F_SETFL, flags);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
fail:
    *err = errno;
    close(fd);
    return -1;
}

static prpc_result open_socket(prpc_conn *c, const char *address) {
    char host[256], port[16];
    const char *colon = strrchr(address, ':');
    if (colon == NULL || colon == address || colon[1] == '\0' || strlen(colon + 1) >= sizeof port ||
        (size_t)(colon - address) >= sizeof host)
        return prpc_fail(c, PRPC_ERR_ARGUMENT, "address \"%s\" is not HOST:PORT", address);
    size_t hlen = (size_t)(colon - address);
    const char *h = address;
    if (h[0] == '[' && h[hlen - 1] == ']') {    /* [::1]:50051 */
        h++;
        hlen -= 2;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    snprintf(port, sizeof port, "%s", colon + 1);

    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host, port, &hints, &list);
    if (gai != 0) return prpc_fail(c, PRPC_ERR_RESOLVE, "%s: %s", address, gai_strerror(gai));
    int err = 0;
    int64_t until = prpc_now_ms() + c->wait_ms;
    for (struct addrinfo *ai = list; ai && c->fd < 0; ai = ai->ai_next) c->fd = connect_one(ai, until, &err);
    freeaddrinfo(list);
    if (c->fd < 0) return prpc_fail(c, PRPC_ERR_CONNECT, "connect to %s: %s", address, strerror(err));
    return PRPC_OK;
}

/* The preface and our SETTINGS in one write, then the server's SETTINGS. */
static prpc_result handshake(prpc_conn *c) {
    Portal__Rpc__V1__Settings s = PORTAL__RPC__V1__SETTINGS__INIT;
    s.max_frame_size = c->ours.max_frame_size;
    s.max_concurrent_streams = c->ours.max_concurrent_streams;
    s.initial_window_size = c->ours.initial_window_size;
    s.max_metadata_size = c->ours.max_metadata_size;
    uint8_t buf[PRPC_PREFACE_LEN + PRPC_HEADER_LEN + 64];
    size_t n = protobuf_c_message_pack(&s.base, buf + PRPC_PREFACE_LEN + PRPC_HEADER_LEN);
    memcpy(buf, PRPC_PREFACE, PRPC_PREFACE_LEN);
    prpc_header_encode(buf + PRPC_PREFACE_LEN, (uint32_t)n, 0, PRPC_FRAME_SETTINGS, 0);
    int64_t until = prpc_now_ms() + c->wait_ms;
    if (prpc_write_all(c->fd, buf, PRPC_PREFACE_LEN + PRPC_HEADER_LEN + n, until) != 0)
        return prpc_fail(c, PRPC_ERR_IO, "sending the preface: %s", strerror(errno));
    while (!c->handshake_done) {
        prpc_result r = prpc_pump(c, until);
        if (c->goaway)
            return prpc_fail(c, PRPC_ERR_GOAWAY, "the server refused the connection: GOAWAY code %u (%s)",
                             c->goaway_code, c->goaway_message);
        if (r != PRPC_OK) {
            char why[sizeof c->err];
            snprintf(why, sizeof why, "%s", c->err);
            return prpc_fail(c, r, "no SETTINGS from the server: %s", why);
        }
    }
    return PRPC_OK;
}

prpc_result prpc_connect(const char *address, int wait_ms, prpc_conn **out) {
    prpc_conn *c = calloc(1, sizeof *c);
    *out = c;
    if (c == NULL) return PRPC_ERR_NOMEM;
    c->fd = -1;
    c->wait_ms = wait_ms > 0 ? wait_ms : DEFAULT_WAIT_MS;
    c->ours = (prpc_settings){PRPC_DEFAULT_MAX_FRAME_SIZE, PRPC_DEFAULT_MAX_CONCURRENT_STREAMS,
                              PRPC_DEFAULT_INITIAL_WINDOW, PRPC_DEFAULT_MAX_METADATA_SIZE};
    c->peer = c->ours;      /* the server's defaults until its SETTINGS arrive */
    c->reader.max_payload = c->ours.max_frame_size;
    c->send_conn_window = PRPC_CONNECTION_WINDOW;
    c->next_stream = 1;
    if (address == NULL) return prpc_fail(c, PRPC_ERR_ARGUMENT, "no address");
    prpc_result r = open_socket(c, address);
    if (r == PRPC_OK) r = handshake(c);
    if (r != PRPC_OK && !c->closed) {
        c->closed = 1;
        c->closed_why = r;
    }
    return r;
}

void prpc_close(prpc_conn *c) {
    if (c == NULL) return;
    if (!c->closed && c->fd >= 0) {
        Portal__Rpc__V1__GoAway g = PORTAL__RPC__V1__GO_AWAY__INIT;
        g.message = "client closing";
        uint8_t buf[64];
        size_t n = protobuf_c_message_pack(&g.base, buf);
        (void)prpc_send_frame(c, 0, PRPC_FRAME_GOAWAY, 0, buf, n);
    }
    while (c->streams) {
        prpc_stream *s = c->streams;
        c->streams = s->next;
        prpc_stream_destroy(s);
    }
    prpc_reader_reset(&c->reader);
    if (c->fd >= 0) close(c->fd);
    free(c);
}

prpc_result prpc_ping(prpc_conn *c) {
    c->err[0] = '\0';
    int64_t now = prpc_now_ms();
    for (int i = 0; i < 8; i++) c->ping_data[i] = (uint8_t)(now >> (8 * (7 - i)));
    prpc_result r = prpc_send_frame(c, 0, PRPC_FRAME_PING, 0, c->ping_data, 8);
    if (r != PRPC_OK) return r;
    c->ping_waiting = 1;
    int64_t until = prpc_now_ms() + c->wait_ms;
    while (c->ping_waiting) {
        r = prpc_pump(c, until);
        if (r != PRPC_OK) {
            c->ping_waiting = 0;
            return r;
        }
    }
    return PRPC_OK;
}

const char *prpc_errmsg(const prpc_conn *c) { return c ? c->err : "out of memory"; }

void prpc_set_wait_ms(prpc_conn *c, int wait_ms) { c->wait_ms = wait_ms > 0 ? wait_ms : DEFAULT_WAIT_MS; }

prpc_settings prpc_peer_settings(const prpc_conn *c) { return c->peer; }

int prpc_goaway(const prpc_conn *c, uint32_t *code, const char **message, uint32_t *last_stream) {
    if (!c->goaway) return 0;
    if (code) *code = c->goaway_code;
    if (message) *message = c->goaway_message;
    if (last_stream) *last_stream = c->goaway_last;
    return 1;
}
