/* The echo benchmark's stdin protocol, shared by its C programs: one command per line, "quit" (or end of input) ends. */
#ifndef ECHO_COMMANDS_H
#define ECHO_COMMANDS_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct commands {
    char line[256];
    size_t len;
};

/* Reads what stdin has and calls handle() for each complete line; returns 0 once stdin ended or "quit" came. */
static int read_commands(struct commands *in, void (*handle)(const char *command)) {
    ssize_t r = read(0, in->line + in->len, sizeof in->line - in->len - 1);
    if (r <= 0) return 0;
    in->len += (size_t)r;
    in->line[in->len] = 0;
    char *end;
    while ((end = strchr(in->line, '\n')) != NULL) {
        *end = 0;
        if (strcmp(in->line, "quit") == 0) return 0;
        handle(in->line);
        fflush(stdout);
        in->len -= (size_t)(end + 1 - in->line);
        memmove(in->line, end + 1, in->len + 1);
    }
    if (in->len == sizeof in->line - 1) in->len = 0; /* too long to be a command: drop it */
    return 1;
}

#endif
