/*
 * newlines.c — benchmark peer and bandwidth floor: read(2) the file with a
 * 1 MiB buffer and count newlines with memchr. No JSON work at all: nothing
 * that reads every byte of the input can be much faster than this.
 * Usage: newlines FILE   (- for standard input); prints "lines N".
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: newlines FILE\n");
    return 2;
  }
  int fd = strcmp(argv[1], "-") ? open(argv[1], O_RDONLY) : 0;
  if (fd < 0) {
    perror(argv[1]);
    return 1;
  }
  uint64_t lines = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    const char *p = buf, *end = buf + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
      lines++;
      p++;
    }
  }
  if (n < 0) {
    perror(argv[1]);
    return 1;
  }
  printf("lines %" PRIu64 "\n", lines);
  return 0;
}
