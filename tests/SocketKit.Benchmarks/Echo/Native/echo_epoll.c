/*
 * The floor of the echo comparison: a single-threaded C epoll echo of 4-byte big-endian length-prefixed frames,
 * echoing whole frames as the managed servers do. Built with gcc by the echo benchmark; speaks its server protocol
 * (prints "listening PORT", answers "stats", "jitted" and "quit" on stdin).
 *
 * An idle connection holds no buffer: one is allocated when data arrives and freed when everything is echoed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"

#define CHUNK (128 * 1024)
#define MAX_FRAME (16 * 1024 * 1024)

struct conn {
    int fd;
    char *buf;      /* [0, sent) echoed, [sent, ready) complete frames not yet written, [ready, len) a partial frame */
    size_t cap, len, sent, ready;
};

static int ep;

static void drop(struct conn *c) {
    close(c->fd); /* also removes it from the epoll set */
    free(c->buf);
    free(c);
}

/* The length of the complete frames at the front of p[0, n). */
static size_t complete_frames(const unsigned char *p, size_t n) {
    size_t at = 0;
    while (n - at >= 4) {
        uint32_t len = ((uint32_t)p[at] << 24) | ((uint32_t)p[at + 1] << 16) | ((uint32_t)p[at + 2] << 8) | p[at + 3];
        if (len > MAX_FRAME || n - at - 4 < len) break;
        at += 4 + len;
    }
    return at;
}

/* Writes what is ready; returns 0 when all of it went, 1 when the socket is full, -1 on error. */
static int flush(struct conn *c) {
    while (c->sent < c->ready) {
        ssize_t w = send(c->fd, c->buf + c->sent, c->ready - c->sent, MSG_NOSIGNAL);
        if (w < 0) return errno == EAGAIN ? 1 : -1;
        c->sent += (size_t)w;
    }
    /* Keep only the partial frame, at the front; free the buffer when nothing is left. */
    size_t rest = c->len - c->ready;
    if (rest == 0) {
        free(c->buf);
        c->buf = NULL;
        c->cap = 0;
    } else if (c->ready > 0) {
        memmove(c->buf, c->buf + c->ready, rest);
    }
    c->len = rest;
    c->sent = c->ready = 0;
    return 0;
}

static void on_ready(struct conn *c, uint32_t events) {
    if (c->sent < c->ready) { /* waiting for room to write: only EPOLLOUT is registered */
        int f = flush(c);
        if (f < 0) { drop(c); return; }
        if (f > 0) return;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    (void)events;
    for (;;) {
        if (c->cap - c->len < CHUNK / 2) {
            size_t cap = c->cap == 0 ? CHUNK : c->cap * 2;
            if (cap > MAX_FRAME + CHUNK) { drop(c); return; }
            char *grown = realloc(c->buf, cap);
            if (!grown) { drop(c); return; }
            c->buf = grown;
            c->cap = cap;
        }
        size_t room = c->cap - c->len;
        ssize_t r = recv(c->fd, c->buf + c->len, room, 0);
        if (r == 0) { drop(c); return; }
        if (r < 0) {
            if (errno == EAGAIN) break;
            drop(c);
            return;
        }
        c->len += (size_t)r;
        if ((size_t)r < room) break; /* a short read: the socket is drained */
    }
    c->ready = complete_frames((unsigned char *)c->buf, c->len);
    int f = flush(c);
    if (f < 0) { drop(c); return; }
    if (f > 0) { /* the peer is not reading: stop reading until it does */
        struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
}

static void on_command(const char *command) {
    if (strcmp(command, "stats") == 0) printf("stats allocated=0 messages=0\n"); /* nothing managed to count */
    if (strcmp(command, "jitted") == 0) printf("jitted 0\n"); /* compiled ahead: warm from the start */
}

int main(void) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0};
    socklen_t size = sizeof addr;
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 4096) ||
        getsockname(listener, (struct sockaddr *)&addr, &size)) {
        perror("listen");
        return 1;
    }
    ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    struct epoll_event stdin_event = {.events = EPOLLIN, .data.ptr = &ep}; /* stdin: "stats", "quit" */
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &stdin_event);
    printf("listening %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    struct epoll_event events[256];
    struct commands in = {0};
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            if (tag == NULL) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *c = calloc(1, sizeof *c);
                    c->fd = fd;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
            } else if (tag == &ep) {
                if (!read_commands(&in, on_command)) return 0;
            } else {
                on_ready(tag, events[i].events);
            }
        }
    }
}
