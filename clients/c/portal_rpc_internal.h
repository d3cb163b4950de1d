/* Internals shared by portal_connect.c (opening, closing), portal_rpc.c (frame dispatch),
 * portal_call.c (calls) and portal_status.c (STATUS and names). Not for integrators: include portal_rpc.h. */
#ifndef PORTAL_RPC_INTERNAL_H
#define PORTAL_RPC_INTERNAL_H

#include "portal_frame.h"
#include "portal_rpc.h"

/* A received MESSAGE payload waiting to be read by the application. */
typedef struct prpc_queued {
    uint8_t *data;
    size_t len;
    struct prpc_queued *next;
} prpc_queued;

struct prpc_stream {
    prpc_conn *conn;
    uint32_t id;
    const ProtobufCMessageDescriptor *response_type;
    int64_t send_window;        /* what the server still accepts on this stream */
    uint32_t unacked;           /* bytes consumed but not yet credited back */
    prpc_queued *head, *tail;
    size_t received;            /* MESSAGEs received in all */
    int over;                   /* `status` is filled: the call ended */
    prpc_result end;            /* PRPC_OK (a STATUS frame), PRPC_ERR_GOAWAY or PRPC_ERR_CLOSED */
    prpc_status status;
    prpc_stream *next;          /* every stream of the connection not yet freed */
};

struct prpc_conn {
    int fd;
    int wait_ms;
    prpc_frame_reader reader;
    prpc_settings ours;         /* what we sent in SETTINGS */
    prpc_settings peer;         /* the server's, defaults until its SETTINGS arrive */
    int handshake_done;
    uint32_t next_stream;
    int64_t send_conn_window;   /* connection credit the server granted us */
    uint32_t recv_conn_unacked; /* connection bytes consumed but not yet credited back */
    int closed;                 /* no more frames: EOF, I/O or protocol error, or prpc_close */
    prpc_result closed_why;
    int goaway;
    uint32_t goaway_code, goaway_last;
    char goaway_message[256];
    uint8_t ping_data[8];
    int ping_waiting;
    prpc_stream *streams;
    char err[512];
};

/* Records the detail of a failure in c->err and returns r. */
prpc_result prpc_fail(prpc_conn *c, prpc_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads and handles one frame (or times out at the deadline). */
prpc_result prpc_pump(prpc_conn *c, int64_t deadline_ms);

/* Sends one frame; on failure the connection is closed. */
prpc_result prpc_send_frame(prpc_conn *c, uint32_t stream, uint8_t type, uint8_t flags,
                            const uint8_t *payload, size_t len);

/* The application consumed a `len`-byte message of `s`: return credit in batches. */
void prpc_credit(prpc_stream *s, size_t len);

/* portal_status.c */
prpc_result prpc_status_decode(prpc_status *st, const uint8_t *payload, size_t len);
prpc_result prpc_status_local(prpc_status *st, uint32_t code, const char *message);

/* portal_call.c: frames from the dispatcher. */
void prpc_stream_on_message(prpc_stream *s, uint8_t *payload, size_t len);  /* takes payload */
prpc_result prpc_stream_on_status(prpc_stream *s, const uint8_t *payload, size_t len);
void prpc_stream_end_local(prpc_stream *s, prpc_result why, const char *message);
void prpc_stream_destroy(prpc_stream *s);   /* frees without touching the socket */

#endif
