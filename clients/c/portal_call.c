/* Calls (docs/PROTOCOL.md section 3): CALL with method, deadline and metadata; the request
 * MESSAGE within the server's flow-control windows (section 4); responses queued per stream
 * until the application reads them; STATUS; CANCEL. Unary calls are a stream read to its end. */
#include "portal_rpc_internal.h"

#include "portal/rpc/v1/wire.pb-c.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* PROTOCOL.md gives stream ids no upper bound; stay within what every int32 reader agrees on. */
#define MAX_STREAM_ID 0x7fffffffu

static int64_t deadline(const prpc_conn *c) { return prpc_now_ms() + c->wait_ms; }

static void unlink_stream(prpc_stream *s) {
    for (prpc_stream **p = &s->conn->streams; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            return;
        }
}

/* Frees the queued responses, crediting them back since nobody will read them. */
static void drop_queue(prpc_stream *s) {
    while (s->head) {
        prpc_queued *q = s->head;
        s->head = q->next;
        if (!s->conn->closed) prpc_credit(s, q->len);
        free(q->data);
        free(q);
    }
    s->tail = NULL;
}

void prpc_stream_destroy(prpc_stream *s) {
    while (s->head) {
        prpc_queued *q = s->head;
        s->head = q->next;
        free(q->data);
        free(q);
    }
    prpc_status_clear(&s->status);
    free(s);
}

void prpc_stream_on_message(prpc_stream *s, uint8_t *payload, size_t len) {
    prpc_queued *q = malloc(sizeof *q);
    s->received++;
    if (q == NULL) {                    /* cannot keep it: fail the call, credit the bytes */
        free(payload);
        prpc_credit(s, len);
        prpc_stream_end_local(s, PRPC_ERR_NOMEM, "out of memory queueing a response");
        return;
    }
    *q = (prpc_queued){payload, len, NULL};
    if (s->tail) s->tail->next = q; else s->head = q;
    s->tail = q;
}

prpc_result prpc_stream_on_status(prpc_stream *s, const uint8_t *payload, size_t len) {
    prpc_result r = prpc_status_decode(&s->status, payload, len);
    if (r != PRPC_OK) return r;
    s->over = 1;
    s->end = PRPC_OK;
    return PRPC_OK;
}

void prpc_stream_end_local(prpc_stream *s, prpc_result why, const char *message) {
    if (s->over) return;
    prpc_status_local(&s->status, PRPC_STATUS_UNAVAILABLE, message);
    s->over = 1;
    s->end = why;
}

/* CALL {method, timeout_ms, metadata} on a new odd stream id. */
static prpc_result open_call(prpc_conn *c, const char *method, const prpc_call_options *opts,
                             const ProtobufCMessageDescriptor *response_type, prpc_stream **out) {
    *out = NULL;
    c->err[0] = '\0';
    if (method == NULL || method[0] != '/' || response_type == NULL)
        return prpc_fail(c, PRPC_ERR_ARGUMENT, "a method is \"/package.Service/Method\" with a response type");
    if (c->closed) return prpc_fail(c, c->closed_why == PRPC_OK ? PRPC_ERR_CLOSED : c->closed_why,
                                    "the connection is closed");
    if (c->goaway)
        return prpc_fail(c, PRPC_ERR_GOAWAY, "the server is going away (GOAWAY code %u: %s); use a new connection",
                         c->goaway_code, c->goaway_message);
    if (c->next_stream > MAX_STREAM_ID)
        return prpc_fail(c, PRPC_ERR_ARGUMENT, "stream ids used up; use a new connection");

    size_t n_md = opts ? opts->n_metadata : 0;
    prpc_stream *s = NULL;
    Portal__Rpc__V1__Call call = PORTAL__RPC__V1__CALL__INIT;
    Portal__Rpc__V1__MetadataEntry *entries = calloc(n_md + 1, sizeof *entries);
    Portal__Rpc__V1__MetadataEntry **ptrs = calloc(n_md + 1, sizeof *ptrs);
    char **keys = calloc(n_md + 1, sizeof *keys);
    uint8_t *buf = NULL;
    prpc_result r = PRPC_ERR_NOMEM;
    if (!entries || !ptrs || !keys) goto done;
    for (size_t i = 0; i < n_md; i++) {
        keys[i] = strdup(opts->metadata[i].key ? opts->metadata[i].key : "");
        if (!keys[i]) goto done;
        for (char *k = keys[i]; *k; k++) *k = (char)tolower((unsigned char)*k);   /* section 3 */
        portal__rpc__v1__metadata_entry__init(&entries[i]);
        entries[i].key = keys[i];
        entries[i].value = (char *)(uintptr_t)(opts->metadata[i].value ? opts->metadata[i].value : "");
        ptrs[i] = &entries[i];
    }
    call.method = (char *)(uintptr_t)method;
    call.timeout_ms = opts ? opts->timeout_ms : 0;
    call.n_metadata = n_md;
    call.metadata = ptrs;
    size_t len = protobuf_c_message_get_packed_size(&call.base);
    if (len > c->peer.max_metadata_size) {
        r = prpc_fail(c, PRPC_ERR_TOO_LARGE, "CALL of %zu bytes exceeds the server's max_metadata_size %u",
                      len, c->peer.max_metadata_size);
        goto done;
    }
    buf = malloc(len ? len : 1);
    s = calloc(1, sizeof *s);
    if (!buf || !s) {
        free(s);
        goto done;
    }
    protobuf_c_message_pack(&call.base, buf);
    s->conn = c;
    s->id = c->next_stream;
    c->next_stream += 2;
    s->response_type = response_type;
    s->send_window = c->peer.initial_window_size;
    s->next = c->streams;
    c->streams = s;
    r = prpc_send_frame(c, s->id, PRPC_FRAME_CALL, 0, buf, len);
    if (r == PRPC_OK) *out = s;
    else {
        unlink_stream(s);
        prpc_stream_destroy(s);
    }
done:
    if (r == PRPC_ERR_NOMEM) prpc_fail(c, r, "out of memory building the CALL");
    for (size_t i = 0; keys && i < n_md; i++) free(keys[i]);
    free(keys);
    free(ptrs);
    free(entries);
    free(buf);
    return r;
}

/* One MESSAGE. Section 4: send only while both windows are above zero (the message may take
 * them negative); otherwise read frames until WINDOW_UPDATEs bring credit. */
static prpc_result send_message(prpc_stream *s, const ProtobufCMessage *m, uint8_t flags) {
    prpc_conn *c = s->conn;
    size_t len = protobuf_c_message_get_packed_size(m);
    if (len > c->peer.max_frame_size)
        return prpc_fail(c, PRPC_ERR_TOO_LARGE, "a %zu-byte message exceeds the server's max_frame_size %u",
                         len, c->peer.max_frame_size);
    int64_t until = deadline(c);
    while (len > 0 && !(s->send_window > 0 && c->send_conn_window > 0)) {
        if (s->over) return PRPC_OK;    /* the call ended; its STATUS tells why */
        prpc_result r = prpc_pump(c, until);
        if (r == PRPC_ERR_TIMEOUT) return prpc_fail(c, r, "no flow-control credit within %d ms", c->wait_ms);
        if (r != PRPC_OK) return r;
    }
    if (s->over) return PRPC_OK;
    uint8_t *buf = malloc(len ? len : 1);
    if (buf == NULL) return prpc_fail(c, PRPC_ERR_NOMEM, "out of memory encoding a request");
    protobuf_c_message_pack(m, buf);
    s->send_window -= (int64_t)len;
    c->send_conn_window -= (int64_t)len;
    prpc_result r = prpc_send_frame(c, s->id, PRPC_FRAME_MESSAGE, flags, buf, len);
    free(buf);
    return r;
}

prpc_result prpc_stream_open(prpc_conn *c, const char *method, const prpc_call_options *opts,
                             const ProtobufCMessage *request,
                             const ProtobufCMessageDescriptor *response_type, prpc_stream **out) {
    prpc_stream *s;
    prpc_result r = open_call(c, method, opts, response_type, &s);
    if (r != PRPC_OK) return r;
    r = send_message(s, request, PRPC_FLAG_END_STREAM);
    if (r != PRPC_OK) {
        prpc_stream_free(s);
        return r;
    }
    *out = s;
    return PRPC_OK;
}

/* How an ended stream reports itself. */
static prpc_result end_result(prpc_stream *s) {
    prpc_conn *c = s->conn;
    if (s->end != PRPC_OK) return prpc_fail(c, s->end, "%s", s->status.message);
    if (s->status.code == PRPC_STATUS_OK) return PRPC_DONE;
    return prpc_fail(c, PRPC_ERR_STATUS, "status %u %s: %s", s->status.code,
                     prpc_status_name(s->status.code), s->status.message);
}

prpc_result prpc_stream_next(prpc_stream *s, ProtobufCMessage **message) {
    prpc_conn *c = s->conn;
    *message = NULL;
    c->err[0] = '\0';
    int64_t until = deadline(c);
    prpc_result r = PRPC_OK;
    while (!s->head && !s->over && r == PRPC_OK) r = prpc_pump(c, until);
    if (s->head) {
        prpc_queued *q = s->head;
        s->head = q->next;
        if (!s->head) s->tail = NULL;
        *message = protobuf_c_message_unpack(s->response_type, NULL, q->len, q->data);
        prpc_credit(s, q->len);
        size_t len = q->len;
        free(q->data);
        free(q);
        if (*message == NULL)
            return prpc_fail(c, PRPC_ERR_DECODE, "a %zu-byte response on stream %u is not a %s",
                             len, s->id, s->response_type->name);
        return PRPC_OK;
    }
    if (s->over) return end_result(s);
    return r;
}

prpc_result prpc_stream_cancel(prpc_stream *s) {
    prpc_conn *c = s->conn;
    drop_queue(s);
    if (s->over) return PRPC_OK;
    prpc_result r = prpc_send_frame(c, s->id, PRPC_FRAME_CANCEL, 0, NULL, 0);
    int64_t until = deadline(c);
    while (r == PRPC_OK && !s->over) {
        r = prpc_pump(c, until);
        drop_queue(s);
    }
    return s->over && s->end == PRPC_OK ? PRPC_OK : r;
}

const prpc_status *prpc_stream_status(const prpc_stream *s) { return s->over ? &s->status : NULL; }

void prpc_stream_free(prpc_stream *s) {
    if (s == NULL) return;
    if (!s->over && !s->conn->closed) (void)prpc_send_frame(s->conn, s->id, PRPC_FRAME_CANCEL, 0, NULL, 0);
    drop_queue(s);
    unlink_stream(s);
    prpc_stream_destroy(s);
}

prpc_result prpc_unary(prpc_conn *c, const char *method, const prpc_call_options *opts,
                       const ProtobufCMessage *request,
                       const ProtobufCMessageDescriptor *response_type,
                       ProtobufCMessage **response, prpc_status *status) {
    *response = NULL;
    memset(status, 0, sizeof *status);
    prpc_stream *s;
    prpc_result r = prpc_stream_open(c, method, opts, request, response_type, &s);
    if (r != PRPC_OK) return r;
    ProtobufCMessage *m;
    while ((r = prpc_stream_next(s, &m)) == PRPC_OK) {
        if (*response == NULL) *response = m;
        else protobuf_c_message_free_unpacked(m, NULL);
    }
    size_t received = s->received;
    if (s->over) {                      /* hand the STATUS over to the caller */
        *status = s->status;
        memset(&s->status, 0, sizeof s->status);
    }
    prpc_stream_free(s);
    if (r == PRPC_DONE && received != 1)
        r = prpc_fail(c, PRPC_ERR_PROTOCOL, "%s: a unary call got %zu responses", method, received);
    else if (r == PRPC_DONE)
        return PRPC_OK;
    if (*response) protobuf_c_message_free_unpacked(*response, NULL);
    *response = NULL;
    return r;
}
