/* How calls end: the STATUS frame's `Status {code, message, metadata}` (docs/PROTOCOL.md
 * sections 3 and 5), statuses made up locally when the connection ends a call, and the names
 * of status codes and library results. */
#include "portal_rpc_internal.h"

#include "portal/rpc/v1/wire.pb-c.h"

#include <stdlib.h>
#include <string.h>

/* What a filled prpc_status owns. */
typedef struct status_owned {
    Portal__Rpc__V1__Status *decoded;   /* from a STATUS frame */
    prpc_metadata *entries;             /* points into `decoded` */
    char *text;                         /* the message of a local status */
} status_owned;

void prpc_status_clear(prpc_status *st) {
    status_owned *o = st->owned_;
    if (o) {
        if (o->decoded) portal__rpc__v1__status__free_unpacked(o->decoded, NULL);
        free(o->entries);
        free(o->text);
        free(o);
    }
    memset(st, 0, sizeof *st);
}

prpc_result prpc_status_decode(prpc_status *st, const uint8_t *payload, size_t len) {
    /* An empty payload is a valid Status: code 0, no message (section 8's examples). */
    Portal__Rpc__V1__Status *d = portal__rpc__v1__status__unpack(NULL, len, payload);
    if (d == NULL) return PRPC_ERR_DECODE;
    status_owned *o = calloc(1, sizeof *o);
    prpc_metadata *entries = calloc(d->n_metadata + 1, sizeof *entries);
    if (!o || !entries) {
        free(o);
        free(entries);
        portal__rpc__v1__status__free_unpacked(d, NULL);
        return PRPC_ERR_NOMEM;
    }
    for (size_t i = 0; i < d->n_metadata; i++) {
        entries[i].key = d->metadata[i]->key;
        entries[i].value = d->metadata[i]->value;
    }
    prpc_status_clear(st);
    o->decoded = d;
    o->entries = entries;
    st->owned_ = o;
    st->code = d->code;
    st->message = d->message;
    st->n_metadata = d->n_metadata;
    st->metadata = entries;
    st->local = 0;
    return PRPC_OK;
}

prpc_result prpc_status_local(prpc_status *st, uint32_t code, const char *message) {
    prpc_status_clear(st);
    st->code = code;
    st->local = 1;
    st->message = "";
    status_owned *o = calloc(1, sizeof *o);
    if (o == NULL) return PRPC_ERR_NOMEM;
    o->text = strdup(message ? message : "");
    if (o->text) st->message = o->text;
    st->owned_ = o;
    return PRPC_OK;
}

const char *prpc_status_get(const prpc_status *st, const char *key) {
    for (size_t i = 0; i < st->n_metadata; i++)
        if (strcmp(st->metadata[i].key, key) == 0) return st->metadata[i].value;
    return NULL;
}

const char *prpc_status_name(uint32_t code) {
    static const char *const names[] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    };
    return code < sizeof names / sizeof names[0] ? names[code] : "(unknown code)";
}

const char *prpc_result_name(prpc_result r) {
    switch (r) {
    case PRPC_OK: return "ok";
    case PRPC_DONE: return "stream ended";
    case PRPC_ERR_STATUS: return "call failed with a status";
    case PRPC_ERR_ARGUMENT: return "bad argument";
    case PRPC_ERR_RESOLVE: return "host not found";
    case PRPC_ERR_CONNECT: return "cannot connect";
    case PRPC_ERR_IO: return "I/O error";
    case PRPC_ERR_CLOSED: return "connection closed";
    case PRPC_ERR_TIMEOUT: return "timed out";
    case PRPC_ERR_PROTOCOL: return "protocol error";
    case PRPC_ERR_GOAWAY: return "server going away";
    case PRPC_ERR_DECODE: return "undecodable response";
    case PRPC_ERR_TOO_LARGE: return "request too large";
    case PRPC_ERR_NOMEM: return "out of memory";
    }
    return "unknown result";
}
