/*
 * notify_mail.c — the RFC 5322 message the email target hands to
 * sendmail: From/To/Subject/Date/Message-ID and MIME headers, then the
 * readable summary and the raw SNS Message JSON. Header values are made
 * injection-safe (control characters, CR and LF become spaces); a
 * non-ASCII or very long subject is sent as RFC 2047 encoded words; the
 * body is 8bit unless a line is too long for SMTP (> 998 bytes) or the
 * text is not UTF-8, then quoted-printable. Lines end in LF (sendmail -t
 * converts).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "notify/notify.h"

#define TW_MAIL_LINE_MAX 998
#define TW_MAIL_WORD_BYTES 45 /* input bytes per encoded word (60 base64) */

/* A header value on one line: control characters become spaces. */
static void tw_mail_clean(tw_nw *w, const char *s) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    tw_nw_raw(w, (c < 0x20 || c == 0x7f) ? " " : s, 1);
  }
}

static void tw_mail_header(tw_nw *w, const char *name, const char *value) {
  tw_nw_str(w, name);
  tw_nw_str(w, ": ");
  tw_mail_clean(w, value);
  tw_nw_str(w, "\n");
}

static int tw_mail_plain(const char *s) {
  size_t n = 0;
  for (; *s; s++, n++)
    if ((unsigned char)*s >= 0x7f || (unsigned char)*s < 0x20)
      return 0;
  return n < 900;
}

/* One RFC 2047 "B" word for len bytes of s. */
static void tw_mail_word(tw_nw *w, const char *s, size_t len) {
  unsigned char b64[4 * ((TW_MAIL_WORD_BYTES + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, (const unsigned char *)s, (int)len);
  tw_nw_str(w, "=?UTF-8?B?");
  tw_nw_raw(w, b64, n > 0 ? (size_t)n : 0);
  tw_nw_str(w, "?=");
}

/* Words never split a UTF-8 sequence; invalid bytes go alone. */
static void tw_mail_encoded(tw_nw *w, const char *s) {
  size_t len = strlen(s), i = 0;
  int first = 1;
  while (i < len) {
    size_t end = i;
    while (end < len) {
      size_t c = tw_utf8_len((const unsigned char *)s + end, len - end);
      c = c ? c : 1;
      if (end + c - i > TW_MAIL_WORD_BYTES)
        break;
      end += c;
    }
    tw_nw_str(w, first ? "" : "\n ");
    tw_mail_word(w, s + i, end - i);
    first = 0;
    i = end;
  }
}

static int tw_mail_subject_text(const tw_delivery *d, const tw_notification *n,
                                char **out) {
  tw_nw w = {0};
  if (d->subject_prefix && *d->subject_prefix) {
    tw_mail_clean(&w, d->subject_prefix);
    tw_nw_str(&w, " ");
  }
  tw_mail_clean(&w, n->subject ? n->subject : "trailwatch notification");
  return tw_nw_finish(&w, out);
}

static void tw_mail_subject(tw_nw *w, const tw_delivery *d,
                            const tw_notification *n) {
  char *subj = NULL;
  int rc = tw_mail_subject_text(d, n, &subj);
  if (rc != TW_OK) {
    w->rc = rc;
    return;
  }
  tw_nw_str(w, "Subject: ");
  if (tw_mail_plain(subj))
    tw_nw_str(w, subj);
  else
    tw_mail_encoded(w, subj);
  tw_nw_str(w, "\n");
  free(subj);
}

static void tw_mail_date(tw_nw *w, int64_t now_ms) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = (time_t)(now_ms / 1000);
  struct tm tm;
  if (!gmtime_r(&t, &tm))
    memset(&tm, 0, sizeof tm);
  tw_nw_printf(w, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\n",
               days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
               tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* <id@trailwatch> with the id reduced to characters a msg-id allows. */
static void tw_mail_msgid(tw_nw *w, const char *id) {
  tw_nw_str(w, "Message-ID: <");
  for (const char *p = id; *p; p++) {
    char c = *p;
    int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_';
    tw_nw_raw(w, keep ? &c : "-", 1);
  }
  tw_nw_str(w, "@trailwatch>\n");
}

static void tw_mail_from(tw_nw *w, const tw_delivery *d) {
  if (d->from && *d->from) {
    tw_mail_header(w, "From", d->from);
    return;
  }
  char host[256] = "localhost";
  if (gethostname(host, sizeof host - 1) != 0 || !host[0])
    strcpy(host, "localhost");
  host[sizeof host - 1] = 0;
  tw_nw_str(w, "From: trailwatch@");
  tw_mail_clean(w, host);
  tw_nw_str(w, "\n");
}

static void tw_mail_to(tw_nw *w, const tw_delivery *d) {
  tw_nw_str(w, "To: ");
  for (size_t i = 0; i < d->nto; i++) {
    tw_nw_str(w, i ? ",\n " : "");
    tw_mail_clean(w, d->to[i]);
  }
  tw_nw_str(w, "\n");
}

/* ---- body ---- */

static int tw_mail_needs_qp(const char *s) {
  size_t line = 0, len = strlen(s);
  for (size_t i = 0; i < len;) {
    if (s[i] == '\n') {
      line = 0;
      i++;
      continue;
    }
    size_t c = tw_utf8_len((const unsigned char *)s + i, len - i);
    if (!c || s[i] == '\r' || ++line > TW_MAIL_LINE_MAX)
      return 1;
    i += c;
  }
  return 0;
}

/* Quoted-printable (RFC 2045 §6.7): lines of at most 76 characters. */
static void tw_mail_qp(tw_nw *w, const char *s) {
  size_t col = 0;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '\n') {
      tw_nw_str(w, "\n");
      col = 0;
      continue;
    }
    int lit = (c >= 33 && c <= 126 && c != '=') ||
              ((c == ' ' || c == '\t') && s[1] != '\n' && s[1] != 0);
    size_t need = lit ? 1 : 3;
    if (col + need > 75) {
      tw_nw_str(w, "=\n");
      col = 0;
    }
    if (lit)
      tw_nw_raw(w, s, 1);
    else
      tw_nw_printf(w, "=%02X", c);
    col += need;
  }
}

static void tw_mail_indent(tw_nw *w, int depth) {
  tw_nw_str(w, "\n");
  for (int i = 0; i < depth; i++)
    tw_nw_str(w, "  ");
}

/* Re-indent JSON text (known valid) without re-spelling anything: strings
 * and numbers are copied as written, whitespace outside them is redone. */
static void tw_mail_pretty(tw_nw *w, const char *s) {
  int depth = 0, in_str = 0, esc = 0;
  for (; *s; s++) {
    char c = *s;
    if (in_str) {
      tw_nw_raw(w, s, 1);
      if (esc)
        esc = 0;
      else if (c == '\\')
        esc = 1;
      else if (c == '"')
        in_str = 0;
      if (in_str)
        continue;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      continue;
    } else {
      tw_nw_raw(w, s, 1);
      if (c == '"') {
        in_str = 1;
        continue;
      }
    }
    const char *next = s + 1 + strspn(s + 1, " \t\r\n");
    int closer = *next == '}' || *next == ']';
    if (c == '{' || c == '[') {
      if (!closer)
        tw_mail_indent(w, ++depth);
    } else if (closer) {
      tw_mail_indent(w, --depth);
    } else if (c == ',') {
      tw_mail_indent(w, depth);
    } else if (c == ':') {
      tw_nw_str(w, " ");
    }
  }
}

/* The raw message, re-indented when it is JSON. */
static void tw_mail_raw(tw_nw *w, const char *msg) {
  json_error_t je;
  json_t *j = json_loads(msg, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
  if (j)
    tw_mail_pretty(w, msg);
  else
    tw_nw_str(w, msg);
  json_decref(j);
}

static int tw_mail_body_text(const tw_notification *n, char **out) {
  char *sum = NULL;
  int rc = tw_notify_summary(n, &sum);
  if (rc != TW_OK)
    return rc;
  tw_nw w = {0};
  tw_nw_str(&w, sum);
  tw_nw_str(&w, "\n-- \nSNS message (JSON):\n");
  tw_mail_raw(&w, n->message);
  tw_nw_str(&w, "\n");
  free(sum);
  return tw_nw_finish(&w, out);
}

static void tw_mail_body(tw_nw *w, const tw_notification *n) {
  char *body = NULL;
  int rc = tw_mail_body_text(n, &body);
  if (rc != TW_OK) {
    w->rc = rc;
    return;
  }
  int qp = tw_mail_needs_qp(body);
  tw_nw_str(w, "MIME-Version: 1.0\n");
  tw_nw_str(w, "Content-Type: text/plain; charset=UTF-8\n");
  tw_nw_printf(w, "Content-Transfer-Encoding: %s\n\n", qp ? "quoted-printable" : "8bit");
  if (qp)
    tw_mail_qp(w, body);
  else
    tw_nw_str(w, body);
  free(body);
}

int tw_notify_email_text(const tw_delivery *d, const tw_notification *n,
                         int64_t now_ms, char **out) {
  tw_nw w = {0};
  tw_mail_from(&w, d);
  tw_mail_to(&w, d);
  tw_mail_subject(&w, d, n);
  tw_mail_date(&w, now_ms);
  tw_mail_msgid(&w, n->id);
  tw_nw_str(&w, "Auto-Submitted: auto-generated\n");
  tw_mail_header(&w, "X-Trailwatch-Notification-Id", n->id);
  tw_mail_header(&w, "X-Trailwatch-Topic-Arn", n->topic_arn);
  tw_mail_body(&w, n);
  return tw_nw_finish(&w, out);
}
