// A minimal single-threaded epoll echo server for length-prefixed messages: the limit of this
// machine for a request/response exchange over loopback TCP, to compare RPC runtimes with.
//
// Frame: 4-byte big-endian length + payload. A frame is echoed back unchanged.
// Streaming: a frame whose length has the top bit set (0x80000000 | n) carries a 4-byte
// big-endian count followed by n-4 body bytes; the server answers with `count` ordinary
// frames each holding the body (produced lazily, as the socket takes them).
//
//   echo_server [-p PORT] [-h HOST]      prints "LISTENING <port>" once ready
//
// Loopback only by default (127.0.0.1). Stops on SIGTERM/SIGINT.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
    int fd;
    unsigned char *in;  size_t in_len, in_cap;
    unsigned char *out; size_t out_len, out_off, out_cap;
    uint32_t stream_left;               // frames still to send for a streaming request
    unsigned char body[256]; uint32_t body_len;
    int want_out;
} conn_t;

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int s) { (void)s; stop_flag = 1; }

static void reserve(unsigned char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    *buf = realloc(*buf, c);
    if (!*buf) { perror("realloc"); exit(1); }
    *cap = c;
}

static void out_append(conn_t *c, const void *p, size_t n) {
    if (c->out_off > 0 && c->out_off == c->out_len) { c->out_off = c->out_len = 0; }
    reserve(&c->out, &c->out_cap, c->out_len + n);
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

// Fills the output buffer with pending stream frames, up to 64 KiB queued.
static void produce_stream(conn_t *c) {
    unsigned char hdr[4];
    uint32_t n = c->body_len;
    hdr[0] = n >> 24; hdr[1] = n >> 16; hdr[2] = n >> 8; hdr[3] = n;
    while (c->stream_left > 0 && c->out_len - c->out_off < 65536) {
        out_append(c, hdr, 4);
        out_append(c, c->body, n);
        c->stream_left--;
    }
}

static void close_conn(int ep, conn_t *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in); free(c->out); free(c);
}

// Returns -1 when the connection must be closed.
static int flush_out(int ep, conn_t *c) {
    for (;;) {
        while (c->out_off < c->out_len) {
            ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
            if (w < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN) goto blocked;
                return -1;
            }
            c->out_off += (size_t)w;
        }
        c->out_off = c->out_len = 0;
        if (c->stream_left == 0) break;
        produce_stream(c);
    }
    if (c->want_out) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->want_out = 0;
    }
    return 0;
blocked:
    if (!c->want_out) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->want_out = 1;
    }
    return 0;
}

static int handle_input(conn_t *c) {
    size_t off = 0;
    while (c->in_len - off >= 4) {
        unsigned char *p = c->in + off;
        uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        uint32_t n = len & 0x7fffffffu;
        if (n > 16u * 1024 * 1024) return -1;
        if (c->in_len - off < 4 + (size_t)n) break;
        if (len & 0x80000000u) {
            if (n < 4 || n - 4 > sizeof c->body) return -1;
            c->stream_left = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
            c->body_len = n - 4;
            memcpy(c->body, p + 8, n - 4);
            produce_stream(c);
        } else {
            out_append(c, p, 4 + (size_t)n);
        }
        off += 4 + (size_t)n;
    }
    if (off > 0) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-p")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-h")) host = argv[i + 1];
        else { fprintf(stderr, "usage: echo_server [-p PORT] [-h HOST]\n"); return 2; }
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 4096) < 0) { perror("listen"); return 1; }
    socklen_t alen = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &alen);
    printf("LISTENING %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
    static unsigned char chunk[65536];
    struct epoll_event evs[256];
    while (!stop_flag) {
        int n = epoll_wait(ep, evs, 256, 500);
        if (n < 0) { if (errno == EINTR) continue; perror("epoll_wait"); return 1; }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL) {
                for (;;) {
                    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn_t *c = calloc(1, sizeof *c);
                    c->fd = fd;
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            conn_t *c = evs[i].data.ptr;
            int dead = 0;
            if (evs[i].events & EPOLLIN) {
                for (;;) {
                    ssize_t r = read(c->fd, chunk, sizeof chunk);
                    if (r < 0) { if (errno == EINTR) continue; if (errno != EAGAIN) dead = 1; break; }
                    if (r == 0) { dead = 1; break; }
                    reserve(&c->in, &c->in_cap, c->in_len + (size_t)r);
                    memcpy(c->in + c->in_len, chunk, (size_t)r);
                    c->in_len += (size_t)r;
                    if ((size_t)r < sizeof chunk) break;
                }
                if (!dead && handle_input(c) < 0) dead = 1;
            } else if (evs[i].events & (EPOLLHUP | EPOLLERR)) {
                dead = 1;
            }
            if (!dead && (c->out_len > c->out_off || c->stream_left > 0)) {
                if (flush_out(ep, c) < 0) dead = 1;
            }
            if (dead) close_conn(ep, c);
        }
    }
    return 0;
}
