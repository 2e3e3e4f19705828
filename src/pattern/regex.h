/*
 * regex.h — the CloudWatch Logs regular-expression subset (internal).
 *
 * Filter patterns may contain %regex% (standalone, or as a JSON/delimited
 * value). AWS supports a small, group-free subset: literals, '.', classes
 * [..] and [^..], \d \D \s \S \w \W, \xhh, escapes of operator characters,
 * anchors ^ and $, quantifiers ? * + {m,n} (either bound optional) on the
 * preceding atom, and alternation '|'. No parentheses. Matching is
 * unanchored unless ^/$ are used, case-sensitive, and runs in time linear in
 * the subject (no backtracking). A compiled regex is immutable and can be
 * used from many threads at once.
 */
#ifndef TW_REGEX_H
#define TW_REGEX_H

#include <stddef.h>

#include "trailwatch.h"

typedef struct tw_regex tw_regex;

/* Compile body[0..len) (the text between the two '%'). On error, err->column
 * is 1-based within body and the message names the offending character. */
int tw_regex_compile(const char *body, size_t len, tw_regex **out, tw_error *err);
void tw_regex_free(tw_regex *re);

/* 1 if re matches anywhere in s[0..len), else 0. */
int tw_regex_search(const tw_regex *re, const char *s, size_t len);

#endif /* TW_REGEX_H */
