// Closed-loop load client for echo_server.c: N connections x D requests in flight, fixed
// duration, single-threaded epoll. Each response is answered at once with a new request on the
// same connection, so exactly D requests stay in flight per connection. Latency is measured per
// request (send to response, responses arrive in order per connection).
//
//   echo_client -p PORT [-c CONNS] [-d DEPTH] [-t SECONDS] [-w WARMUP_SECONDS] [-s PAYLOAD]
//               [-m unary|stream] [-k STREAM_COUNT]
//
// Prints one line:
//   RESULT calls=N secs=S rps=R p50_us=X p99_us=Y errors=E
// In stream mode "calls" counts streamed messages received (each request asks for -k of them).
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

typedef struct {
    int fd;
    unsigned char *in; size_t in_len, in_cap;
    unsigned char out[1 << 16]; size_t out_len;
    uint64_t *sent; int head, tail;     // ring of send times, capacity depth+1
    uint32_t stream_left;
} conn_t;

static int depth = 1, payload = 13, stream_mode = 0;
static uint32_t stream_count = 10000;
static unsigned char *request; static size_t request_len;
static uint32_t *lat; static size_t lat_len, lat_cap;
static uint64_t completed; static int measuring; static uint64_t errors;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void queue_request(conn_t *c, uint64_t t) {
    memcpy(c->out + c->out_len, request, request_len);
    c->out_len += request_len;
    c->sent[c->tail] = t;
    c->tail = (c->tail + 1) % (depth + 1);
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

// Parses responses; returns -1 on a broken stream.
static int handle_input(conn_t *c, int issue) {
    size_t off = 0;
    uint64_t t = now_ns();
    while (c->in_len - off >= 4) {
        unsigned char *p = c->in + off;
        uint32_t n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if (c->in_len - off < 4 + (size_t)n) break;
        if (n != (uint32_t)payload) errors++;
        off += 4 + (size_t)n;
        if (measuring) completed++;
        if (stream_mode) {
            if (--c->stream_left == 0 && issue) {
                c->stream_left = stream_count;
                queue_request(c, t);
            }
        } else {
            uint64_t s = c->sent[c->head];
            c->head = (c->head + 1) % (depth + 1);
            if (measuring) record(t - s);
            if (issue) queue_request(c, t);
        }
    }
    if (off > 0) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
    return 0;
}

int main(int argc, char **argv) {
    int port = 0, conns = 1;
    double secs = 5, warmup = 1;
    const char *host = "127.0.0.1";
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "-p")) port = atoi(v);
        else if (!strcmp(k, "-h")) host = v;
        else if (!strcmp(k, "-c")) conns = atoi(v);
        else if (!strcmp(k, "-d")) depth = atoi(v);
        else if (!strcmp(k, "-t")) secs = atof(v);
        else if (!strcmp(k, "-w")) warmup = atof(v);
        else if (!strcmp(k, "-s")) payload = atoi(v);
        else if (!strcmp(k, "-m")) stream_mode = !strcmp(v, "stream");
        else if (!strcmp(k, "-k")) stream_count = (uint32_t)atoi(v);
        else { fprintf(stderr, "unknown option %s\n", k); return 2; }
    }
    if (port <= 0 || conns < 1 || depth < 1 || depth > 1024 || payload < 0 || payload > 200) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    // The request: an echo of `payload` bytes, or a stream request for `stream_count` of them.
    request_len = 4 + (size_t)payload + (stream_mode ? 4 : 0);
    request = calloc(1, request_len);
    uint32_t len = stream_mode ? (0x80000000u | (uint32_t)(payload + 4)) : (uint32_t)payload;
    request[0] = len >> 24; request[1] = len >> 16; request[2] = len >> 8; request[3] = len;
    unsigned char *body = request + 4;
    if (stream_mode) {
        body[0] = stream_count >> 24; body[1] = stream_count >> 16; body[2] = stream_count >> 8; body[3] = stream_count;
        body += 4;
    }
    for (int i = 0; i < payload; i++) body[i] = (unsigned char)('a' + i % 26);
    if (stream_mode) depth = 1;

    int ep = epoll_create1(EPOLL_CLOEXEC);
    conn_t *cs = calloc((size_t)conns, sizeof *cs);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    int one = 1;
    for (int i = 0; i < conns; i++) {
        conn_t *c = &cs[i];
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        c->sent = calloc((size_t)depth + 1, sizeof *c->sent);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    uint64_t start = now_ns();
    uint64_t measure_at = start + (uint64_t)(warmup * 1e9);
    uint64_t end = measure_at + (uint64_t)(secs * 1e9);
    for (int i = 0; i < conns; i++) {
        conn_t *c = &cs[i];
        if (stream_mode) c->stream_left = stream_count;
        for (int d = 0; d < depth; d++) queue_request(c, now_ns());
        if (flush(c) < 0) { perror("write"); return 1; }
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
