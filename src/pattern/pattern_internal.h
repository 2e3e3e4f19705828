/*
 * pattern_internal.h — the compiled form of a CloudWatch Logs filter pattern.
 *
 * parse.c dispatches on the pattern kind and parses term patterns;
 * parse_json.c and parse_delim.c parse the two structured kinds; value.c
 * holds comparison values (strings with '*' wildcards, numbers, regexes)
 * and how they compare with event text; match.c evaluates a compiled
 * pattern against one message; transform.c extracts metric values and
 * dimensions. A compiled pattern is immutable after tw_pattern_compile.
 */
#ifndef TW_PATTERN_INTERNAL_H
#define TW_PATTERN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "json/json.h"
#include "pattern/regex.h"
#include "trailwatch.h"
#include "util/util.h"

#define TW_PATTERN_MAX_LEN 1024       /* AWS: filterPattern length */
#define TW_PATTERN_MAX_REGEX 2        /* AWS: regexes per pattern */
#define TW_PATTERN_MAX_SEL_WILDCARDS 3 /* AWS: wildcard selectors per pattern */

typedef enum tw_op { TW_OP_EQ, TW_OP_NE, TW_OP_LT, TW_OP_GT, TW_OP_LE, TW_OP_GE } tw_op;

/* ---- comparison values (value.c) ---- */

typedef enum tw_value_kind {
  TW_VALUE_STRING, /* text, possibly with '*' wildcards */
  TW_VALUE_NUMBER, /* numeric literal; text kept as written too */
  TW_VALUE_REGEX,  /* %regex% */
  TW_VALUE_ANY     /* a lone '*' or "*": the field exists and is a scalar */
} tw_value_kind;

/* A string glob: literal segments separated by wildcard stars. With no star
 * (nseg == 1, !lead && !trail) it is an exact comparison. */
typedef struct tw_glob {
  char **seg;
  size_t *seglen;
  size_t nseg;
  int lead_star;  /* starts with '*' */
  int trail_star; /* ends with '*' */
  int has_star;
} tw_glob;

typedef struct tw_value {
  tw_value_kind kind;
  tw_glob glob;    /* STRING */
  char *text;      /* STRING: unescaped text (for messages); NUMBER: as written */
  size_t text_len;
  double num;      /* NUMBER */
  tw_regex *re;    /* REGEX */
} tw_value;

void tw_value_free(tw_value *v);
int tw_glob_compile(tw_glob *g, const char *s, size_t len, const unsigned char *literal_star);
int tw_glob_match(const tw_glob *g, const char *s, size_t len);
void tw_glob_free(tw_glob *g);

/* Parse number text per the filter-pattern grammar:
 * [+-]digits[.digits][(e|E)[+-]digits]. Returns 1 and *out when s is one. */
int tw_pattern_number(const char *s, size_t len, double *out);

/* Compare event text (a delimited field, or a JSON string/number's text)
 * with value v using op. text_is_number says the text is a JSON number
 * (num holds it) for JSON numeric semantics; for delimited fields pass
 * whether the field text itself parses as a number. */
int tw_value_compare(const tw_value *v, tw_op op, const char *text, size_t len,
                     int text_is_number, double num);

/* ---- term patterns ---- */

typedef enum tw_term_kind { TW_TERM_AND, TW_TERM_OR, TW_TERM_NOT } tw_term_kind;

typedef struct tw_term {
  tw_term_kind kind;
  char *text;
  size_t len;
} tw_term;

/* ---- JSON patterns ---- */

typedef enum tw_node_kind {
  TW_NODE_OR,
  TW_NODE_AND,
  TW_NODE_CMP,
  TW_NODE_IS_NULL,
  TW_NODE_IS_TRUE,
  TW_NODE_IS_FALSE,
  TW_NODE_NOT_EXISTS
} tw_node_kind;

typedef struct tw_node {
  tw_node_kind kind;
  struct tw_node *left, *right; /* AND / OR */
  uint32_t sel;                 /* index into tw_pattern.sels */
  tw_op op;                     /* CMP */
  tw_value value;               /* CMP */
} tw_node;

/* A selector as written in the pattern (deduplicated by text). */
typedef struct tw_selector {
  char *text;        /* as written, e.g. "$.userIdentity.type" */
  size_t text_len;
  uint32_t plan_id;  /* path id in tw_pattern.plan */
  int wildcard;      /* contains [*] or .* */
  tw_json_step *steps; /* the path; keys point into tw_pattern.src */
  size_t nsteps;
} tw_selector;

/* ---- space-delimited patterns ---- */

typedef enum tw_cond_kind { TW_COND_CMP, TW_COND_AND, TW_COND_OR } tw_cond_kind;

typedef struct tw_cond {
  tw_cond_kind kind;
  struct tw_cond *left, *right;
  tw_op op;
  tw_value value;
} tw_cond;

typedef enum tw_field_kind { TW_FIELD_NAMED, TW_FIELD_UNNAMED, TW_FIELD_ELLIPSIS } tw_field_kind;

typedef struct tw_field {
  tw_field_kind kind;
  char *name; /* NAMED: without '$' */
  size_t name_len;
  tw_cond *cond; /* NULL when the field has no condition */
} tw_field;

/* ---- warnings ---- */

typedef struct tw_warning {
  char *text;
  size_t column;
} tw_warning;

struct tw_pattern {
  tw_pattern_kind kind;
  char *src;         /* copy of the pattern text (selector keys point here) */
  size_t src_len;
  /* TERMS */
  tw_term *terms;
  size_t nterms;
  int or_mode;       /* only '?' terms: at least one must occur */
  /* REGEX */
  tw_regex *regex;
  /* JSON */
  tw_node *root;
  tw_selector *sels;
  size_t nsels;
  tw_json_plan *plan;
  uint32_t *sel_ids; /* sels[i].plan_id, as an array for tw_pattern_eval_json */
  /* DELIMITED */
  tw_field *fields;
  size_t nfields;
  int ellipsis;      /* index of '...' or -1 */
  /* lint */
  tw_warning *warnings;
  size_t nwarnings;
  int nregex;
};

/* Parser state shared by the three parsers. */
typedef struct tw_parser {
  const char *src; /* whole pattern text */
  size_t len;
  size_t pos;
  unsigned flags;
  tw_pattern *pat;
  tw_error *err;
  int nwild; /* wildcard selectors so far */
} tw_parser;

int tw_parse_fail(tw_parser *ps, size_t pos, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int tw_parse_warn(tw_parser *ps, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tw_parse_skip_ws(tw_parser *ps);
/* Parse a double-quoted string at ps->pos ('"'), unescaping \" and \\ (and
 * marking \* as a literal star in lit_star when non-NULL). Returns a
 * malloc'ed NUL-terminated copy in *out. */
int tw_parse_quoted(tw_parser *ps, char **out, size_t *out_len, unsigned char **lit_star);
/* Parse a %regex% value at ps->pos ('%'). */
int tw_parse_regex_value(tw_parser *ps, tw_value *v);
/* Parse an unquoted value at ps->pos, ending at whitespace or a byte of
 * stop; a NUL byte also ends it. */
int tw_parse_bare_value(tw_parser *ps, const char *stop, tw_value *v);
/* Build a string/number/any value from raw bare or quoted text. */
int tw_value_from_text(tw_parser *ps, size_t pos, tw_value *v, char *text, size_t len,
                       unsigned char *lit_star, int quoted);

int tw_parse_json(tw_parser *ps);
/* Parse one property selector at ps->pos ('$'), registering it in
 * ps->pat->sels / ps->pat->plan; *out is its index in ps->pat->sels. */
int tw_parse_selector(tw_parser *ps, uint32_t *out);
int tw_parse_delimited(tw_parser *ps);
void tw_node_free(tw_node *n);
void tw_cond_free(tw_cond *c);

/* ---- matching scratch (match.c) ---- */

typedef struct tw_jval {
  uint32_t id;
  int32_t next;
  tw_json_value v;
} tw_jval;

typedef struct tw_token {
  size_t raw_start, raw_end; /* as written, including quotes/brackets */
  size_t val_start, val_end; /* value without enclosing quotes/brackets */
} tw_token;

typedef struct tw_kv {
  size_t key_off, key_len, val_off, val_len;
  size_t position; /* delimited: 1-based field position, else 0 */
} tw_kv;

struct tw_match {
  /* JSON: values reported by the scanner, chained per plan id */
  tw_jval *vals;
  size_t nvals, capvals;
  int32_t *heads, *tails;
  size_t capheads;
  /* delimited: tokens of the message */
  tw_token *toks;
  size_t ntoks, captoks;
  /* extracted values of the last match, stored in arena */
  tw_kv *kv;
  size_t nkv, capkv;
  tw_buf arena;
  tw_buf scratch; /* string decoding */
  tw_buf scratch2;
  /* transformation results */
  size_t dim_off[3], dim_len[3];
};

/* The collection of a shared-plan scan, in two steps so that another
 * module's scan can fill it (the fused pass of src/ingest through
 * src/engine): begin for a plan of nids paths, then add each visited
 * value (a tw_json_visit_fn body; TW_ENOMEM or 0). */
int tw_match_json_begin(tw_match *m, size_t nids);
int tw_match_json_add(tw_match *m, uint32_t id, const tw_json_value *v);

/* Run the JSON scanner over msg with plan, collecting values into m.
 * Returns TW_OK when msg is a JSON object, TW_ESYNTAX when it is not (or
 * not valid JSON), TW_ENOMEM. */
int tw_match_collect_json(tw_match *m, const tw_json_plan *plan, const char *msg,
                          size_t len);
/* Evaluate a JSON pattern over values already collected in m, where
 * ids[i] is the collection id of p->sels[i] (p->sel_ids for p's own plan,
 * or a shared plan's ids when many filters share one scan). With extract,
 * also fills m's extracted values on a match. */
int tw_pattern_eval_json(const tw_pattern *p, tw_match *m, const uint32_t *ids, int extract,
                         int *matched);
/* Literal requirement of a JSON pattern as a conjunction of clauses: an
 * event p can match contains, for every clause, at least one of its
 * literals (when no escape in the event can spell a literal byte). n == 0:
 * no requirement. Strings are borrowed from p. (literals.c) */
typedef struct tw_lit_clause {
  const char **s;
  size_t *len;
  size_t n;
} tw_lit_clause;
typedef struct tw_lit_cnf {
  tw_lit_clause *c;
  size_t n;
} tw_lit_cnf;
int tw_pattern_literal_cnf(const tw_pattern *p, tw_lit_cnf *out);
void tw_lit_cnf_free(tw_lit_cnf *cnf);
/* Text of a JSON scalar for comparisons: strings unescaped (into scratch),
 * numbers/literals as written. Returns TW_OK or TW_ENOMEM/TW_ESYNTAX. */
int tw_match_json_text(tw_buf *scratch, const tw_json_value *v, const char **text,
                       size_t *len);
int tw_match_add_kv(tw_match *m, const char *key, size_t klen, const char *val,
                    size_t vlen, size_t position);
/* Split msg into space-delimited tokens (m->toks). */
int tw_match_tokenize(tw_match *m, const char *msg, size_t len);

#endif /* TW_PATTERN_INTERNAL_H */
