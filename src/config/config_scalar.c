/*
 * config_scalar.c — how a YAML scalar becomes a JSON value.
 *
 * Quoted and block scalars are strings. Plain (unquoted) scalars resolve
 * the YAML 1.1 way restricted to unambiguous forms (docs/config.md):
 *   null:    empty, ~, null, Null, NULL
 *   boolean: true, True, TRUE, false, False, FALSE   (yes/no/on/off/y/n
 *            stay strings: no "Norway problem")
 *   integer: decimal [-+]?(0|[1-9][0-9]*)   (012, 0x1F, 1_000 stay strings,
 *            so account IDs with leading zeros are never mangled)
 *   float:   decimal with a '.' and/or an exponent (1.5, -0.5, .5, 1e3)
 * everything else is a string (.inf, .nan and 1:30 included). The standard
 * tags !!str, !!null, !!bool, !!int, !!float are honoured; others rejected.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

#define TW_YAML_TAG "tag:yaml.org,2002:"

typedef enum tw_scalar_kind {
  TW_SCALAR_STRING,
  TW_SCALAR_NULL,
  TW_SCALAR_BOOL,
  TW_SCALAR_INT,
  TW_SCALAR_FLOAT
} tw_scalar_kind;

static int tw_cfg_is_one_of(const char *text, size_t len, const char *const *words) {
  for (size_t i = 0; words[i]; i++)
    if (strlen(words[i]) == len && !memcmp(words[i], text, len))
      return 1;
  return 0;
}

static size_t tw_cfg_digits(const char *s, size_t i, size_t len) {
  size_t start = i;
  while (i < len && s[i] >= '0' && s[i] <= '9')
    i++;
  return i - start;
}

/* Integer or float syntax of a plain scalar; TW_SCALAR_STRING otherwise. */
static tw_scalar_kind tw_cfg_number_kind(const char *s, size_t len) {
  size_t i = 0;
  if (i < len && (s[i] == '+' || s[i] == '-'))
    i++;
  size_t nint = tw_cfg_digits(s, i, len);
  if (nint > 1 && s[i] == '0')
    return TW_SCALAR_STRING; /* leading zero: 012 */
  i += nint;
  int dot = 0, expo = 0;
  size_t nfrac = 0;
  if (i < len && s[i] == '.') {
    dot = 1;
    nfrac = tw_cfg_digits(s, i + 1, len);
    i += 1 + nfrac;
  }
  if (nint + nfrac == 0)
    return TW_SCALAR_STRING;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < len && (s[j] == '+' || s[j] == '-'))
      j++;
    size_t nexp = tw_cfg_digits(s, j, len);
    if (!nexp)
      return TW_SCALAR_STRING;
    expo = 1;
    i = j + nexp;
  }
  if (i != len)
    return TW_SCALAR_STRING;
  return dot || expo ? TW_SCALAR_FLOAT : TW_SCALAR_INT;
}

static tw_scalar_kind tw_cfg_plain_kind(const char *s, size_t len) {
  static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
  static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
  if (len == 0 || tw_cfg_is_one_of(s, len, nulls))
    return TW_SCALAR_NULL;
  if (tw_cfg_is_one_of(s, len, bools))
    return TW_SCALAR_BOOL;
  return tw_cfg_number_kind(s, len);
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF
 * (libyaml checks its input, but escapes such as "\ud800" bypass that). */
int tw_cfg_utf8_valid(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i];
    size_t n; /* continuation bytes */
    if (c < 0x80)
      n = 0;
    else if (c >= 0xC2 && c <= 0xDF)
      n = 1;
    else if (c >= 0xE0 && c <= 0xEF)
      n = 2;
    else if (c >= 0xF0 && c <= 0xF4)
      n = 3;
    else
      return 0;
    if (n >= len - i)
      return 0;
    unsigned cp = c & (0x7Fu >> n);
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xC0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return 0;
    i += n + 1;
  }
  return 1;
}

/* Build the value of text read as kind (text is NUL-terminated). */
static int tw_cfg_make(tw_scalar_kind kind, const char *text, size_t len, json_t **out,
                       const char **problem) {
  json_t *v = NULL;
  if (kind == TW_SCALAR_NULL) {
    v = json_null();
  } else if (kind == TW_SCALAR_BOOL) {
    v = json_boolean(text[0] == 't' || text[0] == 'T');
  } else if (kind == TW_SCALAR_INT) {
    errno = 0;
    long long n = strtoll(text, NULL, 10);
    if (errno == ERANGE) {
      *problem = "integer out of range (quote it to make it a string)";
      return TW_EINVAL;
    }
    v = json_integer((json_int_t)n);
  } else if (kind == TW_SCALAR_FLOAT) {
    errno = 0;
    double d = strtod(text, NULL);
    if (errno == ERANGE && (d > 1.0 || d < -1.0)) {
      *problem = "number out of range (quote it to make it a string)";
      return TW_EINVAL;
    }
    v = json_real(d);
  } else {
    if (!tw_cfg_utf8_valid((const unsigned char *)text, len)) {
      *problem = "invalid UTF-8 in string (a lone surrogate escape?)";
      return TW_EINVAL;
    }
    v = json_stringn_nocheck(text, len);
  }
  if (!v)
    return TW_ENOMEM;
  *out = v;
  return TW_OK;
}

/* The kind an explicit standard tag asks for; -1 if unsupported. */
static int tw_cfg_tag_kind(const char *tag) {
  static const struct {
    const char *name;
    tw_scalar_kind kind;
  } tags[] = {{"str", TW_SCALAR_STRING}, {"null", TW_SCALAR_NULL}, {"bool", TW_SCALAR_BOOL},
              {"int", TW_SCALAR_INT},    {"float", TW_SCALAR_FLOAT}};
  if (strncmp(tag, TW_YAML_TAG, strlen(TW_YAML_TAG)) != 0)
    return -1;
  tag += strlen(TW_YAML_TAG);
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
    if (!strcmp(tag, tags[i].name))
      return (int)tags[i].kind;
  return -1;
}

int tw_cfg_yaml_scalar(const char *text, size_t len, int plain, const char *tag, json_t **out,
                       const char **problem) {
  if (memchr(text, '\0', len)) {
    *problem = "strings must not contain NUL characters";
    return TW_EINVAL;
  }
  int no_tag = !tag || !strcmp(tag, "!");
  if (no_tag)
    return tw_cfg_make(plain && !tag ? tw_cfg_plain_kind(text, len) : TW_SCALAR_STRING, text,
                       len, out, problem);
  int want = tw_cfg_tag_kind(tag);
  if (want < 0) {
    *problem = "unsupported tag (only !!str, !!null, !!bool, !!int and !!float)";
    return TW_EINVAL;
  }
  if (want == TW_SCALAR_STRING)
    return tw_cfg_make(TW_SCALAR_STRING, text, len, out, problem);
  tw_scalar_kind got = tw_cfg_plain_kind(text, len);
  if (want == TW_SCALAR_FLOAT && got == TW_SCALAR_INT)
    got = TW_SCALAR_FLOAT;
  if ((int)got != want) {
    *problem = "the value does not match its tag";
    return TW_EINVAL;
  }
  return tw_cfg_make(got, text, len, out, problem);
}
