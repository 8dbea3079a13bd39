/*
 * The echo benchmark's load generator, in C so that it costs the least per message and leaves the server's core to
 * the server: CONNECTIONS connections to 127.0.0.1:PORT (from 127.0.0.1-127.0.0.8), each keeping IN_FLIGHT frames of
 * PAYLOAD bytes in flight; a frame goes out for each one that comes back. Every echoed byte is checked against what
 * was sent. Driven on stdin: "count" prints "count N" (frames echoed so far), "record" starts timing each frame's
 * round trip, "report" stops and prints "latency P50_US P99_US SAMPLES", "quit" exits.
 *
 * Built with -DECHO_TLS (and -lssl -lcrypto), every connection is TLS 1.3 through OpenSSL: the same frames, encrypted.
 * The server's certificate is not checked (loopback, a benchmark); the negotiated suite is printed on stderr.
 *
 * usage: echo_load PORT CONNECTIONS IN_FLIGHT PAYLOAD
 */
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
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef ECHO_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#define TLS_ON 1
#else
#define TLS_ON 0
#endif

#include "commands.h"

struct conn {
    int fd;
    uint64_t received; /* bytes echoed back so far */
    uint64_t sent;     /* bytes written so far */
    uint64_t wanted;   /* bytes that should have been written: in-flight frames kept full */
    double *sent_at;   /* per in-flight frame, a ring: when it was sent (only while recording) */
#ifdef ECHO_TLS
    SSL *ssl;
#endif
};

static unsigned char *frames;  /* IN_FLIGHT + 1 copies of the frame, back to back */
static size_t frame_len, window;
static int in_flight, recording;
static uint64_t echoed;
static double *samples;
static size_t sample_count, sample_cap;

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

#ifdef ECHO_TLS
static SSL_CTX *tls;

/* Maps OpenSSL's "try again" onto EAGAIN, so the loop below reads the same with and without TLS. */
static ssize_t tls_result(struct conn *c, int ok, size_t done) {
    if (ok) return (ssize_t)done;
    int e = SSL_get_error(c->ssl, 0);
    errno = e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? EAGAIN : EIO;
    return e == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}
#endif

static ssize_t io_send(struct conn *c, const void *data, size_t n) {
#ifdef ECHO_TLS
    size_t done = 0;
    int ok = SSL_write_ex(c->ssl, data, n, &done);
    return tls_result(c, ok, done);
#else
    return send(c->fd, data, n, MSG_NOSIGNAL);
#endif
}

static ssize_t io_recv(struct conn *c, void *data, size_t n) {
#ifdef ECHO_TLS
    size_t done = 0;
    int ok = SSL_read_ex(c->ssl, data, n, &done);
    return tls_result(c, ok, done);
#else
    return recv(c->fd, data, n, 0);
#endif
}

/* Writes what is owed; returns -1 on error, 1 if the socket is full, 0 when all went. */
static int pump(struct conn *c) {
    while (c->sent < c->wanted) {
        size_t at = c->sent % frame_len;
        size_t n = c->wanted - c->sent;
        if (n > window - at) n = window - at;
        ssize_t w = io_send(c, frames + at, n);
        if (w < 0) return errno == EAGAIN ? 1 : -1;
        if (recording) {
            /* Stamp each frame whose first byte just left. */
            for (uint64_t f = (c->sent + frame_len - 1) / frame_len; f * frame_len < c->sent + (uint64_t)w; f++) {
                c->sent_at[f % (uint64_t)in_flight] = now_us();
            }
        }
        c->sent += (uint64_t)w;
    }
    return 0;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void on_command(const char *command) {
    if (strcmp(command, "count") == 0) printf("count %llu\n", (unsigned long long)echoed);
    if (strcmp(command, "record") == 0) { recording = 1; sample_count = 0; }
    if (strcmp(command, "report") == 0) {
        recording = 0;
        qsort(samples, sample_count, sizeof(double), cmp);
        double p50 = sample_count ? samples[sample_count / 2] : 0;
        double p99 = sample_count ? samples[(size_t)(sample_count * 0.99)] : 0;
        printf("latency %.2f %.2f %zu\n", p50, p99, sample_count);
    }
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: echo_load PORT CONNECTIONS IN_FLIGHT PAYLOAD\n");
        return 2;
    }
    int port = atoi(argv[1]), connections = atoi(argv[2]);
    in_flight = atoi(argv[3]);
    size_t payload = (size_t)atol(argv[4]);
    frame_len = 4 + payload;
    window = frame_len * (size_t)(in_flight + 1);
    frames = malloc(window);
    for (int f = 0; f <= in_flight; f++) {
        unsigned char *p = frames + (size_t)f * frame_len;
        p[0] = (unsigned char)(payload >> 24); p[1] = (unsigned char)(payload >> 16);
        p[2] = (unsigned char)(payload >> 8); p[3] = (unsigned char)payload;
        for (size_t i = 0; i < payload; i++) p[4 + i] = (unsigned char)(7 + i * 31);
    }

    signal(SIGPIPE, SIG_IGN); /* a closed connection is an error we report, not a signal */
#ifdef ECHO_TLS
    tls = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(tls, TLS1_3_VERSION);
    SSL_CTX_set_verify(tls, SSL_VERIFY_NONE, NULL);
    /* A write may end mid-buffer and be retried from a later position, as with a plain socket. */
    SSL_CTX_set_mode(tls, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
#endif
    int ep = epoll_create1(0);
    struct conn *conns = calloc((size_t)connections, sizeof *conns);
    for (int i = 0; i < connections; i++) {
        struct conn *c = &conns[i];
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in from = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7F000001 + (uint32_t)(i % 8))};
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons((uint16_t)port)};
        if (bind(c->fd, (struct sockaddr *)&from, sizeof from) || connect(c->fd, (struct sockaddr *)&to, sizeof to)) {
            perror("connect");
            return 1;
        }
#ifdef ECHO_TLS
        c->ssl = SSL_new(tls);
        SSL_set_fd(c->ssl, c->fd);
        if (SSL_connect(c->ssl) != 1) { ERR_print_errors_fp(stderr); return 1; }
        if (i == 0) fprintf(stderr, "tls: %s %s\n", SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl));
#endif
        if (fcntl(c->fd, F_SETFL, O_NONBLOCK)) { perror("fcntl"); return 1; }
        c->sent_at = calloc((size_t)in_flight, sizeof(double));
        c->wanted = (uint64_t)in_flight * frame_len;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        if (pump(c) < 0) { perror("send"); return 1; }
    }
    struct epoll_event stdin_event = {.events = EPOLLIN, .data.ptr = NULL}; /* stdin: the commands */
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &stdin_event);
    printf("ready\n");
    fflush(stdout);

    unsigned char buffer[256 * 1024];
    struct commands in = {0};
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int e = 0; e < n; e++) {
            struct conn *c = events[e].data.ptr;
            if (c == NULL) {
                if (!read_commands(&in, on_command)) return 0;
                continue;
            }
            if (events[e].events & EPOLLOUT) {
                int p = pump(c);
                if (p < 0) { perror("send"); return 1; }
                if (p == 0) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            /* Plain: one read per readiness (epoll reports the rest). TLS: read until OpenSSL holds nothing more. */
            for (;;) {
                ssize_t r = io_recv(c, buffer, sizeof buffer);
                if (r == 0) { fprintf(stderr, "the server closed a connection\n"); return 1; }
                if (r < 0) {
                    if (errno == EAGAIN) break;
                    perror("recv");
                    return 1;
                }
                /* Every byte must be what was sent at that position of the stream. */
                size_t at = c->received % frame_len, done = 0;
                while (done < (size_t)r) {
                    size_t n2 = (size_t)r - done;
                    if (n2 > window - at) n2 = window - at;
                    if (memcmp(buffer + done, frames + at, n2) != 0) {
                        fprintf(stderr, "an echoed byte differs from the one sent\n");
                        return 1;
                    }
                    done += n2;
                    at = (at + n2) % frame_len;
                }
                uint64_t before = c->received / frame_len;
                c->received += (uint64_t)r;
                uint64_t completed = c->received / frame_len - before;
                if (recording) {
                    double t = now_us();
                    for (uint64_t f = before; f < before + completed; f++) {
                        if (sample_count == sample_cap) {
                            sample_cap = sample_cap ? sample_cap * 2 : 1 << 16;
                            samples = realloc(samples, sample_cap * sizeof(double));
                        }
                        double s = c->sent_at[f % (uint64_t)in_flight];
                        if (s > 0) samples[sample_count++] = t - s;
                    }
                }
                echoed += completed;
                c->wanted += completed * frame_len;
                int p = pump(c);
                if (p < 0) { perror("send"); return 1; }
                if (p > 0) {
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
                if (!TLS_ON) break;
            }
        }
    }
}
