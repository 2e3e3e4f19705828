/*
 * test_alarm_format.c — the text formats of alarm output: Java
 * Double.toString spellings, reason dates, ISO dates with "+0000", awsJson
 * epoch seconds, the ISO-8601 parser, the JSON string writer, and the
 * region long-name table. Table-driven: one case per row.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"
#include "tw_test.h"

struct dcase {
  const char *in; /* read with strtod */
  const char *java;
};

/* Spellings Java 19+ prints (Double.toString). */
static const struct dcase doubles[] = {
    {"1", "1.0"}, {"0", "0.0"}, {"-0", "-0.0"}, {"6", "6.0"},
    {"100", "100.0"}, {"10000", "10000.0"}, {"45628", "45628.0"},
    {"99.50160229693434", "99.50160229693434"},
    {"0.0666851903306472", "0.0666851903306472"},
    {"0.1", "0.1"}, {"0.30000000000000004", "0.30000000000000004"},
    {"0.3333333333333333", "0.3333333333333333"}, {"1.1", "1.1"},
    {"-1.5", "-1.5"}, {"12345.678", "12345.678"},
    {"1000000", "1000000.0"}, {"9999999", "9999999.0"},
    {"9999999.999", "9999999.999"}, {"10000000", "1.0E7"},
    {"12345678.9", "1.23456789E7"}, {"123456789", "1.23456789E8"},
    {"0.001", "0.001"}, {"0.00123", "0.00123"}, {"0.000999", "9.99E-4"},
    {"0.0001", "1.0E-4"}, {"5e-5", "5.0E-5"}, {"-1e-7", "-1.0E-7"},
    {"1e21", "1.0E21"}, {"2e23", "2.0E23"}, {"1e100", "1.0E100"},
    {"1.7976931348623157e308", "1.7976931348623157E308"},
    {"4.9e-324", "4.9E-324"}, {"1e-323", "9.9E-324"},
    {"2.2250738585072014e-308", "2.2250738585072014E-308"},
    {"613", "613.0"}, {"1141", "1141.0"}, {"3.4666088898518357", "3.4666088898518357"},
    {"0.01758096118768056", "0.01758096118768056"},
};

TW_TEST(java_double_spelling) {
  for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
    char buf[48];
    tw_fmt_java_double(strtod(doubles[i].in, NULL), buf, sizeof buf);
    if (strcmp(buf, doubles[i].java))
      fprintf(stderr, "  %s -> %s, want %s\n", doubles[i].in, buf,
              doubles[i].java);
    TW_CHECK_EQ_STR(buf, doubles[i].java);
  }
}

TW_TEST(java_double_round_trips) {
  /* every spelling reads back as the same double */
  unsigned s = 99;
  for (int i = 0; i < 20000; i++) {
    s = s * 1103515245u + 12345u;
    double v = ldexp((double)(s >> 4), (int)(s % 200) - 120);
    if (s & 8)
      v = -v;
    char buf[48], tmp[48];
    tw_fmt_java_double(v, buf, sizeof buf);
    strcpy(tmp, buf);
    for (char *p = tmp; *p; p++)
      if (*p == 'E')
        *p = 'e';
    TW_CHECK(strtod(tmp, NULL) == v);
    TW_CHECK(strchr(buf, '.') != NULL);
  }
}

struct tcase {
  const char *iso;  /* input for tw_alarm_parse_time */
  const char *reason;
  const char *out_iso;
  const char *epoch;
};

static const struct tcase times[] = {
    {"2022-09-25T18:49:00Z", "25/09/22 18:49:00", "2022-09-25T18:49:00.000+0000", "1664131740"},
    {"2022-09-25T18:50:37.811Z", "25/09/22 18:50:37", "2022-09-25T18:50:37.811+0000", "1664131837.811"},
    {"2019-10-02T17:04:40.985+0000", "02/10/19 17:04:40", "2019-10-02T17:04:40.985+0000", "1570035880.985"},
    {"2024-02-29T23:59:59.9999Z", "29/02/24 23:59:59", "2024-02-29T23:59:59.999+0000", "1709251199.999"},
    {"2000-01-01T00:00:00", "01/01/00 00:00:00", "2000-01-01T00:00:00.000+0000", "946684800"},
    {"2024-03-16T13:16:45.770+01:00", "16/03/24 12:16:45", "2024-03-16T12:16:45.770+0000", "1710591405.770"},
    {"2024-03-16 07:16:45-0500", "16/03/24 12:16:45", "2024-03-16T12:16:45.000+0000", "1710591405"},
    {"1969-12-31T23:59:59.999Z", "31/12/69 23:59:59", "1969-12-31T23:59:59.999+0000", "-0.001"},
    {"2100-12-31T23:59:00Z", "31/12/00 23:59:00", "2100-12-31T23:59:00.000+0000", "4133980740"},
};

TW_TEST(dates) {
  for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
    int64_t ms = 0;
    char a[48], b[48], c[48];
    TW_CHECK_EQ_INT(tw_alarm_parse_time(times[i].iso, &ms), TW_OK);
    tw_fmt_reason_date(ms, a, sizeof a);
    tw_fmt_iso_date(ms, b, sizeof b);
    tw_fmt_epoch_seconds(ms, c, sizeof c);
    TW_CHECK_EQ_STR(a, times[i].reason);
    TW_CHECK_EQ_STR(b, times[i].out_iso);
    TW_CHECK_EQ_STR(c, times[i].epoch);
  }
}

TW_TEST(epoch_seconds_spelling) {
  char c[48];
  tw_fmt_epoch_seconds(1700000000123, c, sizeof c);
  TW_CHECK_EQ_STR(c, "1700000000.123");
  tw_fmt_epoch_seconds(1700000000050, c, sizeof c);
  TW_CHECK_EQ_STR(c, "1700000000.050");
}

TW_TEST(bad_times_rejected) {
  static const char *const bad[] = {
      "", "2024", "2024-03-16", "2024-03-16T12:16", "2024-02-30T00:00:00Z",
      "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-03-16T24:00:00Z",
      "2024-03-16T12:60:00Z", "2024-03-16T12:16:45ZZ", "2024-03-16T12:16:45.Z",
      "2024-03-16T12:16:45+1", "yesterday", "2024-03-16T12:16:45 extra"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t ms;
    if (tw_alarm_parse_time(bad[i], &ms) == TW_OK)
      fprintf(stderr, "  accepted %s\n", bad[i]);
    TW_CHECK_EQ_INT(tw_alarm_parse_time(bad[i], &ms), TW_EINVAL);
  }
}

TW_TEST(json_string_escapes) {
  tw_buf b = {0};
  TW_CHECK_EQ_INT(tw_jw_str(&b, "a\"b\\c\n\x01 é"), TW_OK);
  char *out = NULL;
  TW_CHECK_EQ_INT(tw_jw_finish(&b, &out), TW_OK);
  TW_CHECK_EQ_STR(out, "\"a\\\"b\\\\c\\n\\u0001 é\"");
  free(out);
}

TW_TEST(region_long_names) {
  static const char *const pairs[][2] = {
      {"us-east-1", "US East (N. Virginia)"}, {"us-west-2", "US West (Oregon)"},
      {"us-west-1", "US West (N. California)"}, {"eu-west-1", "EU (Ireland)"},
      {"eu-west-2", "EU (London)"}, {"ap-northeast-2", "Asia Pacific (Seoul)"},
      {"ap-southeast-2", "Asia Pacific (Sydney)"}, {"ca-central-1", "Canada (Central)"},
      {"sa-east-1", "South America (Sao Paulo)"}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    TW_CHECK_EQ_STR(tw_region_long_name(pairs[i][0]), pairs[i][1]);
  TW_CHECK(tw_region_long_name("mars-north-1") == NULL);
  TW_CHECK(tw_region_long_name(NULL) == NULL);
}

int main(void) { return tw_test_run(); }
