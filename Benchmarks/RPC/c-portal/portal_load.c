// A closed-loop load client in C for CitizenPortal's RPC protocol (docs/PROTOCOL.md): the same
// N connections x D calls in flight as echo_client.c, but each call is a real
// /bench.Echo/Get (CALL + MESSAGE with END_STREAM; answered by MESSAGE + STATUS). It drives
// our server without our client library, to tell the server's cost from the client's.
//
//   portal_load -p PORT [-c CONNS] [-d DEPTH] [-t SECONDS] [-w WARMUP] [-m unary|stream] [-k COUNT]
//
// Stream mode calls /bench.Echo/Expand for COUNT messages at a time, one call per connection.
// Prints the same RESULT line as echo_client.c; errors= counts non-OK statuses and GOAWAYs.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING 65536
typedef struct {
    int fd;
    unsigned char *in; size_t in_len, in_cap;
    unsigned char *out; size_t out_len, out_cap;
    uint32_t next_id;
    uint64_t *sent;                 // send time by (stream id / 2) % RING
    uint64_t unacked;               // response bytes not yet returned as connection credit
} conn_t;

static int depth = 1, stream_mode = 0;
static uint32_t stream_count = 10000;
static const char *text = "hello, world";
static uint32_t *lat; static size_t lat_len, lat_cap;
static uint64_t completed, errors; static int measuring;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void out_reserve(conn_t *c, size_t n) {
    if (c->out_len + n <= c->out_cap) return;
    c->out_cap = (c->out_len + n) * 2;
    c->out = realloc(c->out, c->out_cap);
}

static void frame(conn_t *c, uint32_t len, uint32_t stream, uint8_t type, uint8_t flags, const void *payload) {
    out_reserve(c, 12 + len);
    unsigned char *p = c->out + c->out_len;
    p[0] = len >> 24; p[1] = len >> 16; p[2] = len >> 8; p[3] = len;
    p[4] = stream >> 24; p[5] = stream >> 16; p[6] = stream >> 8; p[7] = stream;
    p[8] = type; p[9] = flags; p[10] = p[11] = 0;
    if (len) memcpy(p + 12, payload, len);
    c->out_len += 12 + len;
}

static unsigned char call_payload[128]; static uint32_t call_len;
static unsigned char req_payload[64]; static uint32_t req_len;

static void start_call(conn_t *c, uint64_t t) {
    uint32_t id = c->next_id;
    c->next_id += 2;
    frame(c, call_len, id, 2, 0, call_payload);
    frame(c, req_len, id, 3, 1, req_payload);
    c->sent[(id >> 1) % RING] = t;
}

static int flush(conn_t *c) {
    size_t off = 0;
    while (off < c->out_len) {
        ssize_t w = write(c->fd, c->out + off, c->out_len - off);
        if (w < 0) { if (errno == EINTR) continue; if (errno == EAGAIN) { usleep(10); continue; } return -1; }
        off += (size_t)w;
    }
    c->out_len = 0;
    return 0;
}

static void record(uint64_t ns) {
    if (lat_len == lat_cap) {
        lat_cap = lat_cap ? lat_cap * 2 : 1 << 20;
        lat = realloc(lat, lat_cap * sizeof *lat);
    }
    lat[lat_len++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void handle_input(conn_t *c, int issue) {
    size_t off = 0;
    uint64_t t = now_ns();
    while (c->in_len - off >= 12) {
        unsigned char *h = c->in + off;
        uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        if (c->in_len - off < 12 + (size_t)len) break;
        uint32_t stream = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
        uint8_t type = h[8], flags = h[9];
        unsigned char *p = h + 12;
        switch (type) {
        case 3:  // MESSAGE
            c->unacked += len;
            if (stream_mode && measuring) completed++;
            break;
        case 4: {  // STATUS: the call is over; code is field 1 (varint), absent = OK
            uint32_t code = 0;
            if (len >= 2 && p[0] == 0x08) code = p[1] & 0x7f;
            if (code != 0) {
                errors++;
                if (errors <= 5) fprintf(stderr, "STATUS code %u on stream %u: %.*s\n", code, stream,
                                         len > 4 ? (int)(len - 4) : 0, (const char *)p + 4);
            }
            if (!stream_mode) {
                if (measuring && code == 0) { completed++; record(t - c->sent[(stream >> 1) % RING]); }
            }
            if (issue) start_call(c, t);
            break;
        }
        case 7:  // PING: answer
            if (!(flags & 2) && len == 8) frame(c, 8, 0, 7, 2, p);
            break;
        case 8:  // GOAWAY
            errors++;
            fprintf(stderr, "GOAWAY from the server\n");
            break;
        default: break;  // SETTINGS, WINDOW_UPDATE
        }
        off += 12 + len;
    }
    if (c->unacked >= 4u << 20) {  // return connection credit in 4 MiB steps
        unsigned char inc[4] = {c->unacked >> 24, c->unacked >> 16, c->unacked >> 8, c->unacked};
        frame(c, 4, 0, 6, 0, inc);
        c->unacked = 0;
    }
    if (off > 0) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
}

int main(int argc, char **argv) {
    int port = 0, conns = 1;
    double secs = 5, warmup = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "-p")) port = atoi(v);
        else if (!strcmp(k, "-c")) conns = atoi(v);
        else if (!strcmp(k, "-d")) depth = atoi(v);
        else if (!strcmp(k, "-t")) secs = atof(v);
        else if (!strcmp(k, "-w")) warmup = atof(v);
        else if (!strcmp(k, "-m")) stream_mode = !strcmp(v, "stream");
        else if (!strcmp(k, "-k")) stream_count = (uint32_t)atoi(v);
        else { fprintf(stderr, "unknown option %s\n", k); return 2; }
    }
    if (port <= 0 || conns < 1 || depth < 1 || depth > 1024) { fprintf(stderr, "bad arguments\n"); return 2; }
    if (stream_mode) depth = 1;
    const char *method = stream_mode ? "/bench.Echo/Expand" : "/bench.Echo/Get";
    size_t ml = strlen(method), tl = strlen(text);
    call_payload[0] = 0x0a; call_payload[1] = (unsigned char)ml;
    memcpy(call_payload + 2, method, ml); call_len = (uint32_t)(2 + ml);
    req_payload[0] = 0x0a; req_payload[1] = (unsigned char)tl;
    memcpy(req_payload + 2, text, tl); req_len = (uint32_t)(2 + tl);
    if (stream_mode) {  // field 2 (count), varint
        req_payload[req_len++] = 0x10;
        uint32_t v = stream_count;
        while (v >= 0x80) { req_payload[req_len++] = (unsigned char)(v | 0x80); v >>= 7; }
        req_payload[req_len++] = (unsigned char)v;
    }

    int ep = epoll_create1(EPOLL_CLOEXEC);
    conn_t *cs = calloc((size_t)conns, sizeof *cs);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int one = 1;
    for (int i = 0; i < conns; i++) {
        conn_t *c = &cs[i];
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        c->sent = calloc(RING, sizeof *c->sent);
        c->next_id = 1;
        out_reserve(c, 64);
        memcpy(c->out, "PRPC\r\n\x1a\x01", 8); c->out_len = 8;
        frame(c, 0, 0, 1, 0, NULL);  // SETTINGS: defaults
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    uint64_t start = now_ns();
    uint64_t measure_at = start + (uint64_t)(warmup * 1e9);
    uint64_t end = measure_at + (uint64_t)(secs * 1e9);
    for (int i = 0; i < conns; i++) {
        for (int d = 0; d < depth; d++) start_call(&cs[i], now_ns());
        if (flush(&cs[i]) < 0) { perror("write"); return 1; }
    }
    static unsigned char chunk[65536];
    struct epoll_event evs[256];
    uint64_t measured_start = 0;
    for (;;) {
        uint64_t t = now_ns();
        if (!measuring && t >= measure_at) { measuring = 1; measured_start = t; }
        if (t >= end) break;
        int n = epoll_wait(ep, evs, 256, 20);
        if (n < 0) { if (errno == EINTR) continue; perror("epoll_wait"); return 1; }
        for (int i = 0; i < n; i++) {
            conn_t *c = evs[i].data.ptr;
            for (;;) {
                ssize_t r = read(c->fd, chunk, sizeof chunk);
                if (r < 0) { if (errno == EINTR) continue; if (errno == EAGAIN) break; perror("read"); return 1; }
                if (r == 0) { fprintf(stderr, "server closed the connection\n"); return 1; }
                if (c->in_len + (size_t)r > c->in_cap) {
                    c->in_cap = (c->in_len + (size_t)r) * 2;
                    c->in = realloc(c->in, c->in_cap);
                }
                memcpy(c->in + c->in_len, chunk, (size_t)r);
                c->in_len += (size_t)r;
                if ((size_t)r < sizeof chunk) break;
            }
            handle_input(c, 1);
            if (c->out_len && flush(c) < 0) { perror("write"); return 1; }
        }
    }
    double elapsed = (double)(now_ns() - measured_start) / 1e9;
    double p50 = 0, p99 = 0;
    if (lat_len) {
        qsort(lat, lat_len, sizeof *lat, cmp_u32);
        p50 = lat[lat_len / 2] / 1000.0;
        p99 = lat[(size_t)((double)lat_len * 0.99)] / 1000.0;
    }
    printf("RESULT calls=%llu secs=%.3f rps=%.0f p50_us=%.1f p99_us=%.1f errors=%llu\n",
           (unsigned long long)completed, elapsed, (double)completed / elapsed, p50, p99,
           (unsigned long long)errors);
    return 0;
}
