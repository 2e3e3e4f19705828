/*
 * cli_util.h — helpers shared by the command implementations (cmd_*.c).
 */
#ifndef TW_CLI_UTIL_H
#define TW_CLI_UTIL_H

#include <stdio.h>
#include <sys/types.h>

#include "trailwatch.h"

/* Print text and a caret under the 1-based column. */
void tw_cli_caret(FILE *f, const char *text, size_t column);
/* "<prog>: invalid filter pattern, column N: message" plus a caret line. */
void tw_cli_pattern_error(FILE *f, const char *prog, const char *pattern, const tw_error *err);
/* getline without the trailing "\n" / "\r\n"; returns the length or -1 at EOF. */
ssize_t tw_cli_getline(char **line, size_t *cap, FILE *in);

#endif /* TW_CLI_UTIL_H */
