/*
 * lines.h — NDJSON line reader shared by the benchmark peers (C and C++):
 * read(2) into one large buffer, hand each line (without its newline) to a
 * callback. The buffer keeps PEER_PADDING readable bytes after every line,
 * as simdjson requires, and grows only for lines longer than the buffer.
 * Not part of trailwatch; only the peers in this folder include it.
 */
#ifndef PEER_LINES_H
#define PEER_LINES_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PEER_CHUNK (4u << 20)
#define PEER_PADDING 64

typedef void (*peer_line_fn)(const char *line, size_t len, void *ctx);

/* Returns 0, or -1 after printing why (open/read/memory failure). */
static int peer_for_each_line(const char *path, peer_line_fn fn, void *ctx) {
  int fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
  if (fd < 0) {
    perror(path);
    return -1;
  }
  size_t cap = PEER_CHUNK, len = 0;
  char *buf = (char *)malloc(cap + PEER_PADDING);
  if (!buf)
    return -1;
  for (;;) {
    if (cap - len < PEER_CHUNK / 2) { /* a very long line: grow */
      char *nb = (char *)realloc(buf, cap * 2 + PEER_PADDING);
      if (!nb) {
        free(buf);
        return -1;
      }
      buf = nb;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0) {
      perror(path);
      free(buf);
      return -1;
    }
    size_t end = len + (size_t)n, start = 0;
    memset(buf + end, 0, PEER_PADDING);
    for (;;) {
      const char *nl = (const char *)memchr(buf + start, '\n', end - start);
      if (!nl)
        break;
      size_t l = (size_t)(nl - (buf + start));
      if (l)
        fn(buf + start, l, ctx);
      start += l + 1;
    }
    if (n == 0) { /* last line without a newline */
      if (end > start)
        fn(buf + start, end - start, ctx);
      break;
    }
    memmove(buf, buf + start, end - start);
    len = end - start;
  }
  free(buf);
  if (fd)
    close(fd);
  return 0;
}

#endif /* PEER_LINES_H */
