/*
 * cli.h — the trailwatch command-line program's internal interface.
 *
 * main.c dispatches `trailwatch COMMAND ...` to one tw_cmd_* function per
 * command, each in its own file (cmd_<name>.c). Exit codes are shared by all
 * commands so scripts can rely on them.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

enum {
  TW_EXIT_OK = 0,      /* success / something matched */
  TW_EXIT_NOMATCH = 1, /* ran fine, nothing matched (grep-like commands) */
  TW_EXIT_USAGE = 2,   /* invalid pattern, invalid input or usage error */
  TW_EXIT_FAILURE = 3  /* runtime failure (I/O, memory) */
};

int tw_cmd_test_pattern(int argc, char **argv);
int tw_cmd_lint(int argc, char **argv);
int tw_cmd_alarm_eval(int argc, char **argv);
int tw_cmd_sample(int argc, char **argv);
int tw_cmd_scan(int argc, char **argv);
int tw_cmd_serve(int argc, char **argv);

#endif /* TW_CLI_H */
