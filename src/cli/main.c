/*
 * main.c — entry point of the `trailwatch` program: dispatches to one
 * command per file (cmd_*.c) and prints the overview for --help.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  {"test-pattern", tw_cmd_test_pattern,
   "test a filter pattern against messages (like aws logs test-metric-filter)"},
  {"lint", tw_cmd_lint, "check filter patterns; errors and AWS-uncertainty warnings"},
  {"scan", tw_cmd_scan, "evaluate metric filters over log events in one pass, on all cores"},
  {"serve", tw_cmd_serve,
   "run the AWS-compatible CloudWatch Logs + CloudWatch API (aws --endpoint-url)"},
  {"sample", tw_cmd_sample, "write synthetic CloudTrail events: NDJSON, or a demo S3 archive (--archive)"},
  {"alarm-eval", tw_cmd_alarm_eval,
   "evaluate one CloudWatch alarm over a series of period values"},
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: trailwatch COMMAND [ARGS...]\n"
          "\n"
          "trailwatch evaluates CloudWatch Logs filter patterns, metric filters and\n"
          "CloudWatch alarms over AWS CloudTrail events, offline.\n"
          "\n"
          "commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\n"
          "Run `trailwatch COMMAND --help` for a command's options.\n"
          "Exit status: 0 success, 1 no match, 2 invalid input or usage, 3 failure.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("trailwatch 0.1.0\n");
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name))
      return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "trailwatch: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
