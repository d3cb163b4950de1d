// CPortalSystem: the Linux calls Swift's Glibc module does not expose (epoll, accept4,
// eventfd, variadic ioctl), as thin inline wrappers. No logic lives here; Swift retries EINTR.
#ifndef C_PORTAL_SYSTEM_H
#define C_PORTAL_SYSTEM_H


#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

static inline int cps_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static inline int cps_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

/// Waits for events; writes up to `max` (events, data) pairs into the two arrays.
static inline int cps_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max, int timeout_ms) {
    struct epoll_event buffer[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, buffer, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        events[i] = buffer[i].events;
        data[i] = buffer[i].data.u64;
    }
    return n;
}

// Declared by glibc only under _GNU_SOURCE, which would make this module's view of the
// system headers differ from Swift's Glibc module; declare it ourselves instead.
extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

static inline int cps_accept4(int fd) {
    return accept4(fd, (struct sockaddr *)0, (socklen_t *)0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static inline int cps_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

static inline int cps_errno(void) { return errno; }

#include <sys/ioctl.h>
/// The bytes a TCP socket's kernel still holds for the peer, sent but unacknowledged or not
/// sent yet (SIOCOUTQ, which Linux defines as TIOCOUTQ); -1 on error.
static inline int cps_output_queued(int fd) {
    int n = 0;
    return ioctl(fd, TIOCOUTQ, &n) == 0 ? n : -1;
}

#include <stdio.h>
/// Line-buffer stdout, so a process reading it through a pipe sees each line at once.
static inline void cps_line_buffer_stdout(void) { setvbuf(stdout, (char *)0, _IOLBF, 0); }

static const uint32_t CPS_EPOLLIN = EPOLLIN;
static const uint32_t CPS_EPOLLOUT = EPOLLOUT;
static const uint32_t CPS_EPOLLERR = EPOLLERR;
static const uint32_t CPS_EPOLLHUP = EPOLLHUP;
static const uint32_t CPS_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t CPS_EPOLLET = EPOLLET;
static const int CPS_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int CPS_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
static const int CPS_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

#endif
