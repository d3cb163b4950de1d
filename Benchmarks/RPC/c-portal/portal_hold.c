// Opens N connections to a CitizenPortal RPC server (docs/PROTOCOL.md), each with one
// server-streaming call that stays open (grpc.health.v1.Health/Watch by default: the server
// sends the current status, then waits for changes), and reports the server's memory.
//
//   portal_hold -p PORT -P SERVER_PID [-c CONNS] [-t HOLD_SECONDS] [-m METHOD] [-T TIMEOUT]
//
// Steps: read the server's VmRSS/VmHWM (baseline); open the connections (at most 256 connects
// pending at once); wait until every call has delivered its first MESSAGE (the stream is open
// and its handler running); read the server's memory again; hold for HOLD_SECONDS (answering
// PINGs); read it again; close everything. Loopback only (127.0.0.1). Output lines:
//   MEM phase=<baseline|open|held> vmrss_kib=N vmhwm_kib=N threads=N
//   HOLD conns=N open=N failed=N statuses=N goaways=N open_secs=S
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

enum { CONNECTING, OPENING, OPEN, DEAD };

typedef struct {
    int fd, state;
    unsigned char in[512]; size_t in_len;
    uint32_t skip;           // payload bytes of the current frame still to discard
} conn_t;

static unsigned char hello[256]; static size_t hello_len;
static int server_pid;
static long opened, failed, statuses, goaways;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put32(unsigned char *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

static void header(uint32_t len, uint32_t stream, uint8_t type, uint8_t flags) {
    unsigned char *p = hello + hello_len;
    put32(p, len); put32(p + 4, stream); p[8] = type; p[9] = flags; p[10] = p[11] = 0;
    hello_len += 12;
}

static void report_mem(const char *phase) {
    char path[64], line[256];
    long rss = -1, hwm = -1, threads = -1;
    snprintf(path, sizeof path, "/proc/%d/status", server_pid);
    FILE *f = fopen(path, "r");
    if (!f) { printf("MEM phase=%s unavailable\n", phase); return; }
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "VmRSS: %ld", &rss);
        sscanf(line, "VmHWM: %ld", &hwm);
        sscanf(line, "Threads: %ld", &threads);
    }
    fclose(f);
    printf("MEM phase=%s vmrss_kib=%ld vmhwm_kib=%ld threads=%ld\n", phase, rss, hwm, threads);
    fflush(stdout);
}

static void kill_conn(int ep, conn_t *c) {
    if (c->state == OPEN) opened--;
    if (c->state != DEAD) failed++;
    c->state = DEAD;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
}

// Parses server frames: MESSAGE on stream 1 opens the call; PING is answered.
static void handle_input(int ep, conn_t *c) {
    size_t off = 0;
    for (;;) {
        if (c->skip) {
            size_t n = c->in_len - off < c->skip ? c->in_len - off : c->skip;
            off += n; c->skip -= (uint32_t)n;
            if (c->skip) break;
        }
        if (c->in_len - off < 12) break;
        unsigned char *h = c->in + off;
        uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        uint8_t type = h[8], flags = h[9];
        if (type == 7 && !(flags & 2)) {  // PING: answer with ACK and the same 8 bytes
            if (c->in_len - off < 12 + (size_t)len) break;
            unsigned char ack[20];
            memcpy(ack, h, 12 + 8);
            ack[9] = 2;
            if (write(c->fd, ack, sizeof ack) < 0) { kill_conn(ep, c); return; }
        } else if (type == 3 && c->state == OPENING) {
            c->state = OPEN; opened++;
        } else if (type == 4) {
            statuses++;
            kill_conn(ep, c); return;
        } else if (type == 8) {
            goaways++;
        }
        off += 12;
        c->skip = len;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
}

int main(int argc, char **argv) {
    int port = 0, conns = 10000;
    double hold = 5, timeout = 120;
    const char *method = "/grpc.health.v1.Health/Watch";
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "-p")) port = atoi(v);
        else if (!strcmp(k, "-P")) server_pid = atoi(v);
        else if (!strcmp(k, "-c")) conns = atoi(v);
        else if (!strcmp(k, "-t")) hold = atof(v);
        else if (!strcmp(k, "-T")) timeout = atof(v);
        else if (!strcmp(k, "-m")) method = v;
        else { fprintf(stderr, "unknown option %s\n", k); return 2; }
    }
    if (port <= 0 || conns < 1) { fprintf(stderr, "usage: portal_hold -p PORT -P PID [-c N]\n"); return 2; }
    size_t mlen = strlen(method);
    if (mlen > 120) return 2;
    // preface, empty SETTINGS, CALL {method}, empty MESSAGE with END_STREAM
    memcpy(hello, "PRPC\r\n\x1a\x01", 8); hello_len = 8;
    header(0, 0, 1, 0);
    header((uint32_t)(2 + mlen), 1, 2, 0);
    hello[hello_len++] = 0x0a; hello[hello_len++] = (unsigned char)mlen;
    memcpy(hello + hello_len, method, mlen); hello_len += mlen;
    header(0, 1, 3, 1);

    report_mem("baseline");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    conn_t *cs = calloc((size_t)conns, sizeof *cs);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int one = 1, started = 0, pending = 0;
    double t0 = now_s();
    struct epoll_event evs[512];
    while (opened + failed < conns && now_s() - t0 < timeout) {
        while (started < conns && pending < 256) {
            conn_t *c = &cs[started++];
            c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (c->fd < 0) { perror("socket"); c->state = DEAD; failed++; continue; }
            setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            int r = connect(c->fd, (struct sockaddr *)&addr, sizeof addr);
            if (r < 0 && errno != EINPROGRESS) { perror("connect"); close(c->fd); c->state = DEAD; failed++; continue; }
            c->state = CONNECTING;
            pending++;
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        }
        int n = epoll_wait(ep, evs, 512, 50);
        for (int i = 0; i < n; i++) {
            conn_t *c = evs[i].data.ptr;
            if (c->state == DEAD) continue;
            if (c->state == CONNECTING && (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                int err = 0; socklen_t el = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                pending--;
                if (err || write(c->fd, hello, hello_len) != (ssize_t)hello_len) { kill_conn(ep, c); continue; }
                c->state = OPENING;
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
                if (r <= 0) { if (r < 0 && errno == EAGAIN) continue; kill_conn(ep, c); continue; }
                c->in_len += (size_t)r;
                handle_input(ep, c);
            }
        }
    }
    double open_secs = now_s() - t0;
    printf("HOLD conns=%d open=%ld failed=%ld statuses=%ld goaways=%ld open_secs=%.2f\n",
           conns, opened, failed, statuses, goaways, open_secs);
    fflush(stdout);
    usleep(200000);  // let the server settle after the last handler started
    report_mem("open");
    double until = now_s() + hold;
    while (now_s() < until) {
        int n = epoll_wait(ep, evs, 512, 100);
        for (int i = 0; i < n; i++) {
            conn_t *c = evs[i].data.ptr;
            if (c->state == DEAD) continue;
            ssize_t r = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
            if (r <= 0) { if (r < 0 && errno == EAGAIN) continue; kill_conn(ep, c); continue; }
            c->in_len += (size_t)r;
            handle_input(ep, c);
        }
    }
    report_mem("held");
    printf("HOLD-END open=%ld failed=%ld statuses=%ld goaways=%ld\n", opened, failed, statuses, goaways);
    for (int i = 0; i < started; i++) if (cs[i].state != DEAD) close(cs[i].fd);
    return opened == conns ? 0 : 1;
}
