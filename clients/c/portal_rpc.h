/* A C client of the CitizenPortal binary RPC protocol, version 1 (docs/PROTOCOL.md).
 *
 * Messages are protobuf-c messages generated from Schema/ (see the Makefile). One connection
 * is used by one thread at a time; it reads frames only while a call of it waits, and answers
 * the server's PINGs, WINDOW_UPDATEs, SETTINGS and GOAWAY on the way.
 *
 *     prpc_conn *c;
 *     if (prpc_connect("127.0.0.1:50051", 10000, &c) != PRPC_OK) { puts(prpc_errmsg(c)); ... }
 *     Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
 *     ProtobufCMessage *resp;
 *     prpc_status st;
 *     prpc_result r = prpc_unary(c, "/grpc.health.v1.Health/Check", NULL, &req.base,
 *                                &grpc__health__v1__health_check_response__descriptor, &resp, &st);
 *     ... protobuf_c_message_free_unpacked(resp, NULL); prpc_status_clear(&st); prpc_close(c);
 */
#ifndef PORTAL_RPC_H
#define PORTAL_RPC_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/* What a library call returns. The detail of the last failure is prpc_errmsg(conn). */
typedef enum prpc_result {
    PRPC_OK = 0,
    PRPC_DONE,            /* prpc_stream_next: the server ended the stream with STATUS OK */
    PRPC_ERR_STATUS,      /* the call ended with a non-OK STATUS; see the prpc_status */
    PRPC_ERR_ARGUMENT,    /* a bad argument (address, method, options) */
    PRPC_ERR_RESOLVE,     /* the host name does not resolve */
    PRPC_ERR_CONNECT,     /* the TCP connection was refused or timed out */
    PRPC_ERR_IO,          /* send or receive failed */
    PRPC_ERR_CLOSED,      /* the server closed the connection (or it was closed after an error) */
    PRPC_ERR_TIMEOUT,     /* nothing arrived within the wait limit (the connection stays usable) */
    PRPC_ERR_PROTOCOL,    /* the server broke docs/PROTOCOL.md; the connection is closed */
    PRPC_ERR_GOAWAY,      /* the server sent GOAWAY: no new calls; calls above last_stream dropped */
    PRPC_ERR_DECODE,      /* a response did not decode as the expected message */
    PRPC_ERR_TOO_LARGE,   /* a request over the server's max_frame_size or max_metadata_size */
    PRPC_ERR_NOMEM
} prpc_result;

/* gRPC status codes (section 5). */
enum {
    PRPC_STATUS_OK = 0, PRPC_STATUS_CANCELLED = 1, PRPC_STATUS_UNKNOWN = 2,
    PRPC_STATUS_INVALID_ARGUMENT = 3, PRPC_STATUS_DEADLINE_EXCEEDED = 4, PRPC_STATUS_NOT_FOUND = 5,
    PRPC_STATUS_ALREADY_EXISTS = 6, PRPC_STATUS_PERMISSION_DENIED = 7,
    PRPC_STATUS_RESOURCE_EXHAUSTED = 8, PRPC_STATUS_FAILED_PRECONDITION = 9,
    PRPC_STATUS_ABORTED = 10, PRPC_STATUS_OUT_OF_RANGE = 11, PRPC_STATUS_UNIMPLEMENTED = 12,
    PRPC_STATUS_INTERNAL = 13, PRPC_STATUS_UNAVAILABLE = 14, PRPC_STATUS_DATA_LOSS = 15,
    PRPC_STATUS_UNAUTHENTICATED = 16
};

/* One metadata entry: lower-case key, UTF-8 value. */
typedef struct prpc_metadata {
    const char *key;
    const char *value;
} prpc_metadata;

/* How a call ended: the server's STATUS frame. When the connection ended the call instead
 * (closed, GOAWAY above last_stream), code is UNAVAILABLE and `local` is 1. */
typedef struct prpc_status {
    uint32_t code;
    const char *message;          /* never NULL once filled */
    size_t n_metadata;
    const prpc_metadata *metadata;
    int local;
    void *owned_;                 /* internal */
} prpc_status;

void prpc_status_clear(prpc_status *st);
/* The value of a STATUS metadata key, or NULL. */
const char *prpc_status_get(const prpc_status *st, const char *key);

/* Per-call options; NULL means none. */
typedef struct prpc_call_options {
    uint64_t timeout_ms;               /* the call's deadline at the server; 0 = none */
    const prpc_metadata *metadata;     /* e.g. {"authorization", "Bearer <token>"} */
    size_t n_metadata;
} prpc_call_options;

typedef struct prpc_conn prpc_conn;
typedef struct prpc_stream prpc_stream;

/* Connects to "HOST:PORT" ("[::1]:PORT" for IPv6), sends the preface and SETTINGS and waits
 * for the server's SETTINGS. wait_ms bounds every wait of this connection (0 = 10 s). *out is
 * set even on failure (except PRPC_ERR_NOMEM) so prpc_errmsg works; always prpc_close it. */
prpc_result prpc_connect(const char *address, int wait_ms, prpc_conn **out);

/* Sends GOAWAY (code 0), closes the socket and frees the connection and every stream of it. */
void prpc_close(prpc_conn *c);

/* Why the last call on this connection failed (or "" when it did not). */
const char *prpc_errmsg(const prpc_conn *c);

void prpc_set_wait_ms(prpc_conn *c, int wait_ms);

/* The server's limits from its SETTINGS (defaults filled in). */
typedef struct prpc_settings {
    uint32_t max_frame_size, max_concurrent_streams, initial_window_size, max_metadata_size;
} prpc_settings;
prpc_settings prpc_peer_settings(const prpc_conn *c);

/* 1 once the server sent GOAWAY (its code, message, last_stream through the pointers). */
int prpc_goaway(const prpc_conn *c, uint32_t *code, const char **message, uint32_t *last_stream);

/* Sends a PING and waits for its ACK. */
prpc_result prpc_ping(prpc_conn *c);

/* A unary call. PRPC_OK: *response is set (free it with protobuf_c_message_free_unpacked)
 * and status->code is 0. PRPC_ERR_STATUS: the server's STATUS is in *status. PRPC_ERR_GOAWAY
 * or PRPC_ERR_CLOSED after the call started: *status is a local UNAVAILABLE. Otherwise *status
 * stays empty (message NULL). Always prpc_status_clear it afterwards. */
prpc_result prpc_unary(prpc_conn *c, const char *method, const prpc_call_options *opts,
                       const ProtobufCMessage *request,
                       const ProtobufCMessageDescriptor *response_type,
                       ProtobufCMessage **response, prpc_status *status);

/* A server-streaming call: sends CALL and the one request with END_STREAM. */
prpc_result prpc_stream_open(prpc_conn *c, const char *method, const prpc_call_options *opts,
                             const ProtobufCMessage *request,
                             const ProtobufCMessageDescriptor *response_type, prpc_stream **out);

/* The next response: PRPC_OK with *message set (free it), PRPC_DONE when the server ended the
 * stream with OK, PRPC_ERR_STATUS on a non-OK STATUS (prpc_stream_status), PRPC_ERR_TIMEOUT if
 * nothing came within the wait limit (call again to keep waiting), or a connection error. */
prpc_result prpc_stream_next(prpc_stream *s, ProtobufCMessage **message);

/* Sends CANCEL and waits for the server's STATUS (normally CANCELLED), dropping any responses
 * still on the way. PRPC_OK once the STATUS arrived (see prpc_stream_status). */
prpc_result prpc_stream_cancel(prpc_stream *s);

/* How the stream ended, or NULL while it is open. */
const prpc_status *prpc_stream_status(const prpc_stream *s);

/* Frees the stream (sending CANCEL first if it is still open). */
void prpc_stream_free(prpc_stream *s);

const char *prpc_result_name(prpc_result r);
const char *prpc_status_name(uint32_t code);

#endif
