/*
 * lines.h — reading newline-delimited records (NDJSON) from a file
 * descriptor with bounded memory (internal).
 *
 * A reader covers a byte range of the input, so several threads can split
 * one file at line boundaries: a reader whose range starts inside a line
 * skips to the next one, and the line that straddles the range's end is
 * read whole by the reader in which it starts. Memory is one buffer that
 * grows only up to the longest line (bounded by max_line); longer lines are
 * reported as TW_ELIMIT with their offset and skipped, never silently lost.
 */
#ifndef TW_INGEST_LINES_H
#define TW_INGEST_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trailwatch.h"

typedef struct tw_line_reader tw_line_reader;

/* Read fd from byte begin to end (end < 0: to EOF). With begin > 0 the fd
 * must be seekable (pread is used); begin == 0 and end < 0 also works on
 * pipes (read). The fd is not closed by the reader. */
int tw_line_reader_new(int fd, int64_t begin, int64_t end, size_t max_line,
                       tw_line_reader **out);
void tw_line_reader_free(tw_line_reader *r);

/* Next line, without its newline (and CR before it). Returns 1 with line, len,
 * offset (byte offset of the line in the input), 0 at the end of the
 * range, TW_ELIMIT for a line longer than max_line (skipped; *offset and
 * *len = its length are set, call again to go on), TW_EIO on a read error.
 * *line stays valid until the next call. */
int tw_line_reader_next(tw_line_reader *r, const char **line, size_t *len, int64_t *offset);

/* Bytes consumed so far (including newlines and skipped lines). */
uint64_t tw_line_reader_bytes(const tw_line_reader *r);

#endif /* TW_INGEST_LINES_H */
