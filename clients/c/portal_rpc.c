/* The connection's frames: reading and dispatching them, the control frames (SETTINGS, PING,
 * WINDOW_UPDATE, GOAWAY: docs/PROTOCOL.md sections 1, 2, 4, 6), protocol errors, and the
 * flow-control credit we return for what we receive. Connecting and closing are in
 * portal_connect.c, calls in portal_call.c. */
#include "portal_rpc_internal.h"

#include "portal/rpc/v1/wire.pb-c.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

prpc_result prpc_fail(prpc_conn *c, prpc_result r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return r;
}

static int64_t deadline(const prpc_conn *c) { return prpc_now_ms() + c->wait_ms; }

/* Ends every open call and stops reading; the socket is closed by prpc_close. */
static void close_connection(prpc_conn *c, prpc_result why, const char *message) {
    if (c->closed) return;
    c->closed = 1;
    c->closed_why = why;
    if (c->fd >= 0) shutdown(c->fd, SHUT_RDWR);
    for (prpc_stream *s = c->streams; s; s = s->next) prpc_stream_end_local(s, why, message);
}

prpc_result prpc_send_frame(prpc_conn *c, uint32_t stream, uint8_t type, uint8_t flags,
                            const uint8_t *payload, size_t len) {
    if (c->closed) return prpc_fail(c, c->closed_why, "the connection is closed");
    if (prpc_write_frame(c->fd, stream, type, flags, payload, len, deadline(c)) != 0) {
        char why[128];
        snprintf(why, sizeof why, "send failed: %s", strerror(errno));
        close_connection(c, PRPC_ERR_IO, why);
        return prpc_fail(c, PRPC_ERR_IO, "%s", why);
    }
    return PRPC_OK;
}

static void send_goaway(prpc_conn *c, uint32_t code, const char *message) {
    Portal__Rpc__V1__GoAway g = PORTAL__RPC__V1__GO_AWAY__INIT;
    g.code = code;
    g.message = (char *)(uintptr_t)message;
    uint8_t buf[300];
    if (protobuf_c_message_get_packed_size(&g.base) > sizeof buf) g.message = "";
    size_t n = protobuf_c_message_pack(&g.base, buf);
    (void)prpc_send_frame(c, 0, PRPC_FRAME_GOAWAY, 0, buf, n);
}

/* The server broke the protocol: GOAWAY (code 3 or 8) and close, as section 2 asks. */
static prpc_result protocol_error(prpc_conn *c, uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static prpc_result protocol_error(prpc_conn *c, uint32_t code, const char *fmt, ...) {
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    send_goaway(c, code, why);
    close_connection(c, PRPC_ERR_PROTOCOL, why);
    return prpc_fail(c, PRPC_ERR_PROTOCOL, "protocol error: %s", why);
}

static void send_window_update(prpc_conn *c, uint32_t stream, uint32_t increment) {
    uint8_t p[4];
    prpc_put_u32(p, increment);
    (void)prpc_send_frame(c, stream, PRPC_FRAME_WINDOW_UPDATE, 0, p, sizeof p);
}

/* Section 4: credit goes back in batches of at least a quarter of the window. */
static void credit_connection(prpc_conn *c, size_t len) {
    c->recv_conn_unacked += (uint32_t)len;
    if (c->recv_conn_unacked >= PRPC_CONNECTION_WINDOW / 4) {
        send_window_update(c, 0, c->recv_conn_unacked);
        c->recv_conn_unacked = 0;
    }
}

void prpc_credit(prpc_stream *s, size_t len) {
    if (len == 0) return;
    credit_connection(s->conn, len);
    if (s->over) return;    /* the server forgets a finished stream's window */
    s->unacked += (uint32_t)len;
    if (s->unacked >= s->conn->ours.initial_window_size / 4) {
        send_window_update(s->conn, s->id, s->unacked);
        s->unacked = 0;
    }
}

static prpc_stream *open_stream(prpc_conn *c, uint32_t id) {
    for (prpc_stream *s = c->streams; s; s = s->next)
        if (s->id == id && !s->over) return s;
    return NULL;
}

static prpc_result on_settings(prpc_conn *c, const uint8_t *p, size_t len) {
    Portal__Rpc__V1__Settings *s = portal__rpc__v1__settings__unpack(NULL, len, p);
    if (s == NULL) return protocol_error(c, 3, "SETTINGS payload does not decode");
    if (s->max_frame_size != 0 && s->max_frame_size < PRPC_MIN_MAX_FRAME_SIZE) {
        portal__rpc__v1__settings__free_unpacked(s, NULL);
        return protocol_error(c, 3, "max_frame_size below %u", PRPC_MIN_MAX_FRAME_SIZE);
    }
    uint32_t old_window = c->peer.initial_window_size;
    c->peer.max_frame_size = s->max_frame_size ? s->max_frame_size : PRPC_DEFAULT_MAX_FRAME_SIZE;
    c->peer.max_concurrent_streams =
        s->max_concurrent_streams ? s->max_concurrent_streams : PRPC_DEFAULT_MAX_CONCURRENT_STREAMS;
    c->peer.initial_window_size =
        s->initial_window_size ? s->initial_window_size : PRPC_DEFAULT_INITIAL_WINDOW;
    c->peer.max_metadata_size =
        s->max_metadata_size ? s->max_metadata_size : PRPC_DEFAULT_MAX_METADATA_SIZE;
    portal__rpc__v1__settings__free_unpacked(s, NULL);
    /* Streams opened on the assumed defaults get the difference. */
    for (prpc_stream *st = c->streams; st; st = st->next)
        st->send_window += (int64_t)c->peer.initial_window_size - (int64_t)old_window;
    c->handshake_done = 1;
    return PRPC_OK;
}

static prpc_result on_window_update(prpc_conn *c, const prpc_frame_header *h, const uint8_t *p) {
    if (h->length != 4) return protocol_error(c, 3, "WINDOW_UPDATE payload of %u bytes", h->length);
    uint32_t inc = prpc_get_u32(p);
    if (inc == 0) return protocol_error(c, 3, "WINDOW_UPDATE increment must be positive");
    int64_t *window = NULL;
    if (h->stream == 0) {
        window = &c->send_conn_window;
    } else {
        prpc_stream *s = open_stream(c, h->stream);
        if (s) window = &s->send_window;
    }
    if (window == NULL) return PRPC_OK;     /* a stream that already ended */
    if (*window + inc > (int64_t)PRPC_MAX_WINDOW)
        return protocol_error(c, 3, "WINDOW_UPDATE takes stream %u's window above 2^31-1", h->stream);
    *window += inc;
    return PRPC_OK;
}

static prpc_result on_goaway(prpc_conn *c, const uint8_t *p, size_t len) {
    Portal__Rpc__V1__GoAway *g = portal__rpc__v1__go_away__unpack(NULL, len, p);
    if (g == NULL) return protocol_error(c, 3, "GOAWAY payload does not decode");
    c->goaway = 1;
    c->goaway_code = g->code;
    c->goaway_last = g->last_stream;
    snprintf(c->goaway_message, sizeof c->goaway_message, "%s", g->message);
    portal__rpc__v1__go_away__free_unpacked(g, NULL);
    char why[320];
    snprintf(why, sizeof why, "not processed: GOAWAY code %u (%s); retry on a new connection",
             c->goaway_code, c->goaway_message);
    for (prpc_stream *s = c->streams; s; s = s->next)
        if (s->id > c->goaway_last) prpc_stream_end_local(s, PRPC_ERR_GOAWAY, why);
    return PRPC_OK;
}

/* Handles one frame; takes ownership of payload. */
static prpc_result dispatch(prpc_conn *c, const prpc_frame_header *h, uint8_t *payload) {
    prpc_result r = PRPC_OK;
    int control = h->type == PRPC_FRAME_SETTINGS || h->type == PRPC_FRAME_PING ||
                  h->type == PRPC_FRAME_GOAWAY;
    if (h->reserved != 0) {
        r = protocol_error(c, 3, "reserved header bytes are not zero");
    } else if (!c->handshake_done && h->type != PRPC_FRAME_SETTINGS && h->type != PRPC_FRAME_GOAWAY) {
        r = protocol_error(c, 3, "frame type %u before the server's SETTINGS", h->type);
    } else if (control && h->stream != 0) {
        r = protocol_error(c, 3, "frame type %u on stream %u; it belongs on stream 0", h->type, h->stream);
    } else if ((h->type == PRPC_FRAME_MESSAGE || h->type == PRPC_FRAME_STATUS) &&
               (h->stream % 2 == 0 || h->stream >= c->next_stream)) {
        r = protocol_error(c, 3, "frame type %u for stream %u, which we never opened", h->type, h->stream);
    } else {
        switch (h->type) {
        case PRPC_FRAME_SETTINGS:
            r = on_settings(c, payload, h->length);
            break;
        case PRPC_FRAME_PING:
            if (h->length != 8) {
                r = protocol_error(c, 3, "PING payload of %u bytes", h->length);
            } else if (h->flags & PRPC_FLAG_ACK) {
                if (c->ping_waiting && memcmp(payload, c->ping_data, 8) == 0) c->ping_waiting = 0;
            } else {
                r = prpc_send_frame(c, 0, PRPC_FRAME_PING, PRPC_FLAG_ACK, payload, 8);
            }
            break;
        case PRPC_FRAME_WINDOW_UPDATE:
            r = on_window_update(c, h, payload);
            break;
        case PRPC_FRAME_GOAWAY:
            r = on_goaway(c, payload, h->length);
            break;
        case PRPC_FRAME_MESSAGE: {
            prpc_stream *s = open_stream(c, h->stream);
            if (s) {
                prpc_stream_on_message(s, payload, h->length);
                return PRPC_OK;
            }
            credit_connection(c, h->length);    /* a call we gave up on: drop it */
            break;
        }
        case PRPC_FRAME_STATUS: {
            prpc_stream *s = open_stream(c, h->stream);
            if (s && prpc_stream_on_status(s, payload, h->length) != PRPC_OK)
                r = protocol_error(c, 3, "STATUS payload on stream %u does not decode", h->stream);
            break;
        }
        default:
            r = protocol_error(c, 3, "frame type %u is not one a server sends", h->type);
        }
    }
    free(payload);
    return r;
}

prpc_result prpc_pump(prpc_conn *c, int64_t deadline_ms) {
    if (c->closed) return prpc_fail(c, c->closed_why, "the connection is closed");
    prpc_frame_header h;
    uint8_t *payload = NULL;
    char why[320];
    switch (prpc_read_frame(c->fd, &c->reader, deadline_ms, &h, &payload)) {
    case PRPC_READ_FRAME:
        return dispatch(c, &h, payload);
    case PRPC_READ_TIMEOUT:
        return prpc_fail(c, PRPC_ERR_TIMEOUT, "nothing from the server within %d ms", c->wait_ms);
    case PRPC_READ_EOF:
        if (c->goaway)
            snprintf(why, sizeof why, "the server closed the connection after GOAWAY code %u (%s)",
                     c->goaway_code, c->goaway_message);
        else
            snprintf(why, sizeof why, "the server closed the connection");
        close_connection(c, PRPC_ERR_CLOSED, why);
        return prpc_fail(c, PRPC_ERR_CLOSED, "%s", why);
    case PRPC_READ_ERROR:
        snprintf(why, sizeof why, "receive failed: %s", strerror(errno));
        close_connection(c, PRPC_ERR_IO, why);
        return prpc_fail(c, PRPC_ERR_IO, "%s", why);
    case PRPC_READ_TOO_LARGE:
        return protocol_error(c, 8, "a frame over our max_frame_size of %u", c->ours.max_frame_size);
    case PRPC_READ_NOMEM:
        break;
    }
    close_connection(c, PRPC_ERR_NOMEM, "out of memory");
    return prpc_fail(c, PRPC_ERR_NOMEM, "out of memory reading a frame");
}
