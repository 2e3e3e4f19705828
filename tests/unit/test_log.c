/*
 * test_log.c — the structured logger (src/util/log.c): logfmt quoting and
 * escaping of values, level filtering and parsing, the time field, and
 * whole lines from concurrent threads. Each test logs to a tmpfile and
 * compares what was written.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tw_test.h"
#include "util/log.h"

/* Everything written to f, with each line's "time=... " prefix removed
 * (the time is checked by its own test). */
static char *tw_read_lines(FILE *f) {
  static char out[16384];
  char line[4096];
  size_t n = 0;
  out[0] = '\0';
  fflush(f);
  rewind(f);
  while (fgets(line, sizeof line, f)) {
    const char *p = line;
    if (!strncmp(p, "time=", 5) && strchr(p, ' '))
      p = strchr(p, ' ') + 1;
    size_t len = strlen(p);
    if (n + len + 1 > sizeof out)
      break;
    memcpy(out + n, p, len + 1);
    n += len;
  }
  return out;
}

/* A fresh logger over a tmpfile at level. */
static tw_log *tw_open(FILE **f, tw_log_level level) {
  tw_log *l = NULL;
  *f = tmpfile();
  if (!*f || tw_log_new(*f, level, &l))
    return NULL;
  return l;
}

TW_TEST(plain_values_are_bare) {
  FILE *f;
  tw_log *l = tw_open(&f, TW_LOG_INFO);
  TW_CHECK(l != NULL);
  tw_log_kv(l, TW_LOG_INFO, "start", "listen", "127.0.0.1:4588", "db",
            "/var/lib/tw.db", NULL);
  TW_CHECK_EQ_STR(tw_read_lines(f),
                  "level=info event=start listen=127.0.0.1:4588 "
                  "db=/var/lib/tw.db\n");
  tw_log_free(l);
  fclose(f);
}

TW_TEST(quoting_and_escaping) {
  FILE *f;
  tw_log *l = tw_open(&f, TW_LOG_DEBUG);
  tw_log_kv(l, TW_LOG_INFO, "e", "space", "a b", "eq", "k=v", "quote",
            "say \"hi\"", "backslash_quoted", "C:\\x y", "newline", "1\n2",
            "tab", "a\tb", "ctl", "\x01", "del", "\x7f", "empty", "", NULL);
  TW_CHECK_EQ_STR(tw_read_lines(f),
                  "level=info event=e space=\"a b\" eq=\"k=v\" "
                  "quote=\"say \\\"hi\\\"\" backslash_quoted=\"C:\\\\x y\" "
                  "newline=\"1\\n2\" tab=\"a\\x09b\" ctl=\"\\x01\" "
                  "del=\"\\x7f\" empty=\"\"\n");
  tw_log_free(l);
  fclose(f);
}

TW_TEST(bare_backslash_and_utf8_kept) {
  FILE *f;
  tw_log *l = tw_open(&f, TW_LOG_INFO);
  tw_log_kv(l, TW_LOG_WARN, "e", "path", "a\\b", "name", "caf\xc3\xa9", NULL);
  TW_CHECK_EQ_STR(tw_read_lines(f),
                  "level=warn event=e path=a\\b name=caf\xc3\xa9\n");
  tw_log_free(l);
  fclose(f);
}

TW_TEST(event_is_quoted_like_a_value) {
  FILE *f;
  tw_log *l = tw_open(&f, TW_LOG_INFO);
  tw_log_kv(l, TW_LOG_ERROR, "two words", NULL);
  TW_CHECK_EQ_STR(tw_read_lines(f), "level=error event=\"two words\"\n");
  tw_log_free(l);
  fclose(f);
}

TW_TEST(null_value_skips_the_pair) {
  FILE *f;
  tw_log *l = tw_open(&f, TW_LOG_INFO);
  tw_log_kv(l, TW_LOG_INFO, "e", "a", "1", "detail", (const char *)NULL, "b",
            "2", NULL);
  TW_CHECK_EQ_STR(tw_read_lines(f), "level=info event=e a=1 b=2\n");
  tw_log_free(l);
  fclose(f);
}

TW_TEST(levels_filter_lines) {
  FILE *f;
  tw_log *l = tw_open(&f, TW_LOG_WARN);
  tw_log_kv(l, TW_LOG_DEBUG, "d", NULL);
  tw_log_kv(l, TW_LOG_INFO, "i", NULL);
  tw_log_kv(l, TW_LOG_WARN, "w", NULL);
  tw_log_kv(l, TW_LOG_ERROR, "e", NULL);
  tw_log_kv(l, TW_LOG_OFF, "never", NULL);
  TW_CHECK_EQ_STR(tw_read_lines(f),
                  "level=warn event=w\nlevel=error event=e\n");
  TW_CHECK(!tw_log_enabled(l, TW_LOG_INFO));
  TW_CHECK(tw_log_enabled(l, TW_LOG_ERROR));
  tw_log_set_level(l, TW_LOG_DEBUG);
  tw_log_kv(l, TW_LOG_DEBUG, "d", NULL);
  TW_CHECK_EQ_STR(tw_read_lines(f), "level=warn event=w\nlevel=error "
                                    "event=e\nlevel=debug event=d\n");
  tw_log_set_level(l, TW_LOG_OFF);
  tw_log_kv(l, TW_LOG_ERROR, "e2", NULL);
  TW_CHECK(!tw_log_enabled(l, TW_LOG_ERROR));
  TW_CHECK_EQ_STR(tw_read_lines(f), "level=warn event=w\nlevel=error "
                                    "event=e\nlevel=debug event=d\n");
  tw_log_free(l);
  fclose(f);
}

TW_TEST(null_logger_is_silent) {
  TW_CHECK(!tw_log_enabled(NULL, TW_LOG_ERROR));
  tw_log_kv(NULL, TW_LOG_ERROR, "nothing", "a", "b", NULL);
  tw_log_free(NULL);
}

TW_TEST(level_names_parse) {
  static const char *const names[] = {"debug", "info", "warn", "error", "off"};
  for (int i = 0; i <= TW_LOG_OFF; i++) {
    tw_log_level lv = TW_LOG_INFO;
    TW_CHECK_EQ_INT(tw_log_level_parse(names[i], &lv), 0);
    TW_CHECK_EQ_INT(lv, i);
    TW_CHECK_EQ_STR(tw_log_level_name((tw_log_level)i), names[i]);
  }
  tw_log_level lv = TW_LOG_ERROR;
  TW_CHECK_EQ_INT(tw_log_level_parse("INFO", &lv), -1);
  TW_CHECK_EQ_INT(tw_log_level_parse("warning", &lv), -1);
  TW_CHECK_EQ_INT(tw_log_level_parse(NULL, &lv), -1);
  TW_CHECK_EQ_INT(lv, TW_LOG_ERROR);
  TW_CHECK_EQ_STR(tw_log_level_name((tw_log_level)9), "?");
}

/* time=YYYY-MM-DDTHH:MM:SS.mmmZ, then a space. */
TW_TEST(time_field_is_utc_milliseconds) {
  FILE *f;
  tw_log *l = tw_open(&f, TW_LOG_INFO);
  tw_log_kv(l, TW_LOG_INFO, "t", NULL);
  char line[256] = "";
  fflush(f);
  rewind(f);
  TW_CHECK(fgets(line, sizeof line, f) != NULL);
  const char *shape = "time=dddd-dd-ddTdd:dd:dd.dddZ ";
  TW_CHECK(strlen(line) > strlen(shape));
  for (size_t i = 0; i < strlen(shape) && i < strlen(line); i++) {
    if (shape[i] == 'd')
      TW_CHECK(line[i] >= '0' && line[i] <= '9');
    else
      TW_CHECK(line[i] == shape[i]);
  }
  tw_log_free(l);
  fclose(f);
}

/* ---- concurrent writers ---- */

typedef struct tw_writer {
  tw_log *l;
  char id[8];
} tw_writer;

static void *tw_write_many(void *arg) {
  tw_writer *w = arg;
  for (int i = 0; i < 200; i++)
    tw_log_kv(w->l, TW_LOG_INFO, "line", "writer", w->id, "text",
              "a value long enough to make interleaving visible if any",
              NULL);
  return NULL;
}

TW_TEST(concurrent_lines_never_mix) {
  FILE *f;
  tw_log *l = tw_open(&f, TW_LOG_INFO);
  pthread_t t[4];
  tw_writer w[4];
  for (int i = 0; i < 4; i++) {
    w[i].l = l;
    snprintf(w[i].id, sizeof w[i].id, "w%d", i);
    pthread_create(&t[i], NULL, tw_write_many, &w[i]);
  }
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  fflush(f);
  rewind(f);
  char line[512];
  int lines = 0, good = 0;
  while (fgets(line, sizeof line, f)) {
    lines++;
    const char *p = strchr(line, ' ');
    const char *id = strstr(line, "writer=w");
    char want[256];
    snprintf(want, sizeof want,
             " level=info event=line writer=w%c text=\"a value long enough "
             "to make interleaving visible if any\"\n",
             id ? id[8] : '?');
    good += p && !strcmp(p, want);
  }
  TW_CHECK_EQ_INT(lines, 800);
  TW_CHECK_EQ_INT(good, 800);
  tw_log_free(l);
  fclose(f);
}

int main(void) { return tw_test_run(); }
