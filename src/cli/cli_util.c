/*
 * cli_util.c — helpers shared by the command implementations: printing a
 * pattern diagnostic with a caret under the column, and reading lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"

void tw_cli_caret(FILE *f, const char *text, size_t column) {
  fprintf(f, "  %s\n  ", text);
  for (size_t i = 1; i < column && text[i - 1]; i++)
    fputc(text[i - 1] == '\t' ? '\t' : ' ', f);
  fputs("^\n", f);
}

void tw_cli_pattern_error(FILE *f, const char *prog, const char *pattern, const tw_error *err) {
  if (err->column)
    fprintf(f, "%s: invalid filter pattern, column %zu: %s\n", prog, err->column, err->message);
  else
    fprintf(f, "%s: invalid filter pattern: %s\n", prog, err->message);
  if (err->column && !strchr(pattern, '\n'))
    tw_cli_caret(f, pattern, err->column);
}

ssize_t tw_cli_getline(char **line, size_t *cap, FILE *in) {
  ssize_t n = getline(line, cap, in);
  if (n > 0 && (*line)[n - 1] == '\n')
    (*line)[--n] = '\0';
  if (n > 0 && (*line)[n - 1] == '\r')
    (*line)[--n] = '\0';
  return n;
}
