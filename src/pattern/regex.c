/*
 * regex.c — the CloudWatch Logs regular-expression subset (see regex.h and
 * docs/regex.md).
 *
 * A body is a '|'-separated list of alternatives; each alternative is a
 * sequence of anchors (^, $) and quantified atoms (a byte set). There are no
 * groups, so compilation expands every counted repetition into "positions"
 * (one per byte consumed) and builds a Glushkov automaton whose state is a
 * bitset of positions. Each position may be optional (skippable) and/or
 * looping (may repeat). Searching simulates the automaton bit-parallel
 * (Shift-And with optional and repeatable positions): per subject byte a
 * handful of word operations per 64 positions, no backtracking, no heap.
 *
 * Anchors are zero-width barriers between positions: crossing '^' is only
 * possible before any byte was consumed at subject offset 0, crossing '$'
 * only at the end of the subject. They are folded into start and final sets
 * at compile time. A required-literal pre-check (memmem) skips the
 * automaton for subjects that cannot match.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/regex.h"
#include "util/util.h"

#define RX_MAX_POSITIONS 4096u
#define RX_MAX_WORDS (RX_MAX_POSITIONS / 64u)
#define RX_MAX_COUNT 1000u
#define RX_INF 0xFFFFFFFFu
#define RX_MAX_LITS 8u     /* alternatives considered by the pre-check */
#define RX_MIN_LIT 3u      /* shortest useful required literal */

/* ------------------------------------------------------------------ */
/* Parsed form                                                          */
/* ------------------------------------------------------------------ */

typedef struct rx_set {
  uint8_t bits[32];
} rx_set;

enum { RX_ATOM, RX_CARET, RX_DOLLAR, RX_ALT };

typedef struct rx_item {
  int kind;
  int has_quant;
  unsigned min, max; /* repetition; max == RX_INF for unbounded */
  size_t col;        /* 1-based column of the item */
  rx_set set;
} rx_item;

typedef struct rx_parser {
  const unsigned char *s;
  size_t len;
  size_t i;
  tw_error *err;
  rx_item *items;
  size_t nitems;
} rx_parser;

/* Required literal of one alternative, for the memmem pre-check. */
typedef struct rx_lit {
  size_t off, len;
  int pure; /* the alternative is exactly this literal */
} rx_lit;

struct tw_regex {
  size_t npos;
  size_t nw;            /* 64-bit words per bitset */
  uint64_t *mem;        /* one block holding all masks below */
  const uint64_t *byte; /* [256][nw]: positions whose set holds the byte */
  const uint64_t *loop, *nb, *prop;
  const uint64_t *first_any, *first_at0, *final, *final_end;
  int empty_any;  /* matches every subject */
  int empty_only; /* matches the empty subject */
  int anchored;   /* no position is reachable except at offset 0 */
  int prefilter;  /* lits[] is a valid pre-check */
  size_t nlit;
  rx_lit lits[RX_MAX_LITS];
  char *litbuf;
};

/* ------------------------------------------------------------------ */
/* Byte sets                                                            */
/* ------------------------------------------------------------------ */

static void rx_set_add(rx_set *s, unsigned c) { s->bits[c >> 3] |= (uint8_t)(1u << (c & 7)); }

static int rx_set_has(const rx_set *s, unsigned c) { return (s->bits[c >> 3] >> (c & 7)) & 1; }

static void rx_set_range(rx_set *s, unsigned lo, unsigned hi) {
  for (unsigned c = lo; c <= hi; c++)
    rx_set_add(s, c);
}

static void rx_set_union(rx_set *d, const rx_set *a) {
  for (size_t k = 0; k < sizeof d->bits; k++)
    d->bits[k] |= a->bits[k];
}

static void rx_set_negate(rx_set *s) {
  for (size_t k = 0; k < sizeof s->bits; k++)
    s->bits[k] = (uint8_t)~s->bits[k];
}

/* The single byte of s in *c, or 0 when s has zero or several bytes. */
static int rx_set_single(const rx_set *s, unsigned *c) {
  int n = 0;
  for (unsigned b = 0; b < 256; b++) {
    if (rx_set_has(s, b)) {
      *c = b;
      if (++n > 1)
        return 0;
    }
  }
  return n == 1;
}

/* ------------------------------------------------------------------ */
/* Lexical checks                                                       */
/* ------------------------------------------------------------------ */

static int rx_is_alnum(unsigned c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int rx_is_hex(unsigned c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned rx_hex_val(unsigned c) {
  if (c <= '9')
    return c - '0';
  return (c | 0x20u) - 'a' + 10;
}

static int rx_char_allowed(unsigned c) {
  return rx_is_alnum(c) || (c != 0 && strchr(":_#=@/;,- ^$?[]{}|\\*+.", (int)c) != NULL);
}

/* Reject the first byte outside the allowed character set. */
static int rx_check_chars(const unsigned char *s, size_t len, tw_error *err) {
  for (size_t i = 0; i < len; i++) {
    unsigned c = s[i];
    if (rx_char_allowed(c))
      continue;
    if (c >= 0x80)
      return tw_error_set(err, TW_ESYNTAX, i + 1,
                          "unsupported non-ASCII byte 0x%02X in regex; "
                          "multi-byte characters are not supported, use \\x%02X",
                          c, c);
    if (c < 0x20 || c == 0x7F)
      return tw_error_set(err, TW_ESYNTAX, i + 1,
                          "unsupported control character 0x%02X in regex; use \\x%02X", c, c);
    return tw_error_set(err, TW_ESYNTAX, i + 1, "unsupported character '%c' in regex; use \\x%02X",
                        (int)c, c);
  }
  return TW_OK;
}

/* ------------------------------------------------------------------ */
/* Parser                                                               */
/* ------------------------------------------------------------------ */

static int rx_peek(const rx_parser *p, size_t ahead) {
  return p->i + ahead < p->len ? p->s[p->i + ahead] : -1;
}

static int rx_err(rx_parser *p, int code, size_t at, const char *msg) {
  return tw_error_set(p->err, code, at + 1, "%s", msg);
}

/* Add the bytes of \d \D \s \S \w \W to set. */
static void rx_class_escape(unsigned letter, rx_set *out) {
  rx_set tmp = {{0}}, *set = &tmp;
  unsigned lower = letter | 0x20u;
  if (lower == 'd') {
    rx_set_range(set, '0', '9');
  } else if (lower == 's') {
    rx_set_add(set, ' ');
    rx_set_range(set, '\t', '\r'); /* \t \n \v \f \r */
  } else {
    rx_set_range(set, 'a', 'z');
    rx_set_range(set, 'A', 'Z');
    rx_set_range(set, '0', '9');
    rx_set_add(set, '_');
  }
  if (letter != lower)
    rx_set_negate(set);
  rx_set_union(out, set);
}

/* Parse "\xhh" at p->i (pointing at the backslash). */
static int rx_parse_hex(rx_parser *p, int *single) {
  int h1 = rx_peek(p, 2), h2 = rx_peek(p, 3);
  if (h1 < 0 || h2 < 0 || !rx_is_hex((unsigned)h1) || !rx_is_hex((unsigned)h2))
    return rx_err(p, TW_ESYNTAX, p->i, "invalid escape in regex: \\x must be followed by two hex digits");
  *single = (int)(rx_hex_val((unsigned)h1) * 16 + rx_hex_val((unsigned)h2));
  p->i += 4;
  return TW_OK;
}

/* Parse an escape at p->i (a backslash). A single byte goes to *single and
 * into set; a class escape (\d ...) sets *single = -1. */
static int rx_parse_escape(rx_parser *p, rx_set *set, int *single) {
  int c = rx_peek(p, 1);
  if (c < 0)
    return rx_err(p, TW_ESYNTAX, p->i, "trailing backslash in regex");
  *single = -1;
  if (c == 'x') {
    int rc = rx_parse_hex(p, single);
    if (rc == TW_OK)
      rx_set_add(set, (unsigned)*single);
    return rc;
  }
  if (strchr("dDsSwW", c)) {
    rx_class_escape((unsigned)c, set);
    p->i += 2;
    return TW_OK;
  }
  if (c == 't' || c == 'n' || c == 'r')
    *single = c == 't' ? '\t' : c == 'n' ? '\n' : '\r';
  else if (!rx_is_alnum((unsigned)c))
    *single = c;
  else
    return tw_error_set(p->err, TW_ESYNTAX, p->i + 1,
                        "unsupported escape '\\%c' in regex", c);
  rx_set_add(set, (unsigned)*single);
  p->i += 2;
  return TW_OK;
}

/* One class member (char, escape) at p->i; *single as in rx_parse_escape. */
static int rx_class_member(rx_parser *p, size_t open, rx_set *set, int *single) {
  int c = rx_peek(p, 0);
  if (c < 0)
    return rx_err(p, TW_ESYNTAX, open, "unterminated character class; use \\[ for a literal '['");
  if (c == '[')
    return rx_err(p, TW_ESYNTAX, p->i, "unescaped '[' inside character class; use \\[");
  if (c == '\\')
    return rx_parse_escape(p, set, single);
  *single = c;
  rx_set_add(set, (unsigned)c);
  p->i++;
  return TW_OK;
}

/* After a single-byte member lo: a following "-x" (x not ']') is a range. */
static int rx_class_range(rx_parser *p, size_t open, size_t start, int lo, rx_set *set) {
  if (rx_peek(p, 0) != '-' || rx_peek(p, 1) < 0 || rx_peek(p, 1) == ']')
    return TW_OK;
  p->i++;
  rx_set hiset = {{0}};
  int hi;
  int rc = rx_class_member(p, open, &hiset, &hi);
  if (rc != TW_OK)
    return rc;
  if (hi < 0)
    return rx_err(p, TW_ESYNTAX, start, "invalid range in character class: a range end must be a single character");
  if (hi < lo)
    return rx_err(p, TW_ESYNTAX, start, "invalid range in character class: start is greater than end");
  rx_set_range(set, (unsigned)lo, (unsigned)hi);
  return TW_OK;
}

/* Parse "[...]" at p->i into set. */
static int rx_parse_class(rx_parser *p, rx_set *set) {
  size_t open = p->i++;
  int negate = 0;
  if (rx_peek(p, 0) == '^') {
    negate = 1;
    p->i++;
  }
  if (rx_peek(p, 0) == ']')
    return rx_err(p, TW_ESYNTAX, open, "empty character class; use \\] for a literal ']'");
  size_t first = p->i;
  while (rx_peek(p, 0) != ']') {
    size_t start = p->i;
    int c = rx_peek(p, 0);
    if (c == '-' && start != first && rx_peek(p, 1) != ']' && rx_peek(p, 1) >= 0)
      return rx_err(p, TW_ESYNTAX, start,
                    "'-' in character class must be first, last or escaped (\\-)");
    int single;
    int rc = rx_class_member(p, open, set, &single);
    if (rc == TW_OK && single >= 0)
      rc = rx_class_range(p, open, start, single, set);
    if (rc != TW_OK)
      return rc;
  }
  p->i++;
  if (negate)
    rx_set_negate(set);
  return TW_OK;
}

/* Decimal number at p->i (possibly empty: *present = 0). */
static void rx_parse_count(rx_parser *p, unsigned *val, int *present) {
  unsigned v = 0;
  *present = 0;
  while (rx_peek(p, 0) >= '0' && rx_peek(p, 0) <= '9') {
    v = v * 10 + (unsigned)(rx_peek(p, 0) - '0');
    if (v > RX_MAX_COUNT)
      v = RX_MAX_COUNT + 1; /* saturate; reported by the caller */
    *present = 1;
    p->i++;
  }
  *val = v;
}

/* Parse "{m}", "{m,}", "{,n}" or "{m,n}" at p->i. */
static int rx_parse_braces(rx_parser *p, unsigned *min, unsigned *max) {
  static const char invalid[] =
      "invalid repetition: expected {m}, {m,}, {,n} or {m,n}; use \\{ for a literal '{'";
  size_t open = p->i++;
  int has_m, has_n = 0, comma = 0;
  unsigned m, n = 0;
  rx_parse_count(p, &m, &has_m);
  if (rx_peek(p, 0) == ',') {
    comma = 1;
    p->i++;
    rx_parse_count(p, &n, &has_n);
  }
  if (rx_peek(p, 0) != '}' || (!has_m && !has_n))
    return rx_err(p, TW_ESYNTAX, open, invalid);
  p->i++;
  if (m > RX_MAX_COUNT || n > RX_MAX_COUNT)
    return rx_err(p, TW_ELIMIT, open, "invalid repetition: count exceeds the limit of 1000");
  *min = has_m ? m : 0;
  *max = !comma ? m : has_n ? n : RX_INF;
  if (*max < *min)
    return rx_err(p, TW_ESYNTAX, open, "invalid repetition: minimum is greater than maximum");
  return TW_OK;
}

/* A quantifier character at p->i applies to the previous item. */
static int rx_parse_quant(rx_parser *p) {
  int c = rx_peek(p, 0);
  rx_item *prev = p->nitems ? &p->items[p->nitems - 1] : NULL;
  if (prev && prev->kind == RX_ATOM && prev->has_quant) {
    if (c == '?' || c == '+')
      return rx_err(p, TW_ESYNTAX, p->i, "lazy and possessive quantifiers are not supported");
    return tw_error_set(p->err, TW_ESYNTAX, p->i + 1,
                        "quantifier '%c' follows another quantifier", c);
  }
  if (!prev || prev->kind != RX_ATOM)
    return tw_error_set(p->err, TW_ESYNTAX, p->i + 1, "quantifier '%c' has nothing to repeat", c);
  unsigned min = c == '+' ? 1 : 0, max = c == '?' ? 1 : RX_INF;
  if (c == '{') {
    int rc = rx_parse_braces(p, &min, &max);
    if (rc != TW_OK)
      return rc;
  } else {
    p->i++;
  }
  prev->has_quant = 1;
  prev->min = min;
  prev->max = max;
  return TW_OK;
}

static rx_item *rx_push(rx_parser *p, int kind) {
  rx_item *it = &p->items[p->nitems++];
  memset(it, 0, sizeof *it);
  it->kind = kind;
  it->min = it->max = 1;
  it->col = p->i + 1;
  return it;
}

/* '|' closes an alternative, which must not be empty. */
static int rx_parse_alt(rx_parser *p) {
  if (!p->nitems || p->items[p->nitems - 1].kind == RX_ALT)
    return rx_err(p, TW_ESYNTAX, p->i, "empty alternative in regex");
  if (p->i + 1 == p->len)
    return rx_err(p, TW_ESYNTAX, p->i, "empty alternative in regex (trailing '|')");
  rx_push(p, RX_ALT);
  p->i++;
  return TW_OK;
}

/* An atom (literal, '.', escape or class) at p->i. */
static int rx_parse_atom(rx_parser *p) {
  int c = rx_peek(p, 0);
  rx_item *it = rx_push(p, RX_ATOM);
  int single;
  if (c == '[')
    return rx_parse_class(p, &it->set);
  if (c == '\\')
    return rx_parse_escape(p, &it->set, &single);
  if (c == ']' || c == '}')
    return tw_error_set(p->err, TW_ESYNTAX, p->i + 1, "unbalanced '%c' in regex; use \\%c", c, c);
  if (c == '.')
    rx_set_range(&it->set, 0, 255);
  else
    rx_set_add(&it->set, (unsigned)c);
  p->i++;
  return TW_OK;
}

static int rx_parse(rx_parser *p) {
  while (p->i < p->len) {
    int c = rx_peek(p, 0), rc = TW_OK;
    if (c == '?' || c == '*' || c == '+' || c == '{')
      rc = rx_parse_quant(p);
    else if (c == '|')
      rc = rx_parse_alt(p);
    else if (c == '^' || c == '$') {
      rx_push(p, c == '^' ? RX_CARET : RX_DOLLAR);
      p->i++;
    } else
      rc = rx_parse_atom(p);
    if (rc != TW_OK)
      return rc;
  }
  return TW_OK;
}

/* ------------------------------------------------------------------ */
/* Expansion into positions                                             */
/* ------------------------------------------------------------------ */

enum { RX_E_POS, RX_E_CARET, RX_E_DOLLAR };

typedef struct rx_elem {
  int kind;
  size_t pos;
} rx_elem;

typedef struct rx_alt {
  size_t first, count; /* range of elements */
} rx_alt;

/* Everything the builder needs; freed after compilation. */
typedef struct rx_plan {
  size_t npos, nelem, nalt;
  rx_elem *elem;
  rx_alt *alt;
  const rx_set **set; /* per position */
  uint8_t *opt, *loop;
} rx_plan;

static size_t rx_item_positions(const rx_item *it) {
  if (it->max == RX_INF)
    return it->min ? it->min : 1;
  return it->max;
}

static int rx_count_positions(const rx_item *items, size_t n, size_t *npos, tw_error *err) {
  size_t total = 0;
  for (size_t k = 0; k < n; k++) {
    if (items[k].kind != RX_ATOM)
      continue;
    total += rx_item_positions(&items[k]);
    if (total > RX_MAX_POSITIONS)
      return tw_error_set(err, TW_ELIMIT, items[k].col,
                          "regex too large: more than %u positions after expanding repetitions",
                          RX_MAX_POSITIONS);
  }
  *npos = total;
  return TW_OK;
}

static void rx_plan_free(rx_plan *pl) {
  free(pl->elem);
  free(pl->alt);
  free((void *)pl->set);
  free(pl->opt);
  free(pl->loop);
}

static int rx_plan_alloc(rx_plan *pl, size_t nitems, size_t npos) {
  size_t np = npos ? npos : 1;
  pl->elem = malloc((npos + nitems + 1) * sizeof *pl->elem);
  pl->alt = malloc((nitems + 1) * sizeof *pl->alt);
  pl->set = malloc(np * sizeof *pl->set);
  pl->opt = calloc(np, 1);
  pl->loop = calloc(np, 1);
  if (!pl->elem || !pl->alt || !pl->set || !pl->opt || !pl->loop)
    return TW_ENOMEM;
  return TW_OK;
}

static void rx_emit_pos(rx_plan *pl, const rx_set *set, int opt, int loop) {
  size_t p = pl->npos++;
  pl->set[p] = set;
  pl->opt[p] = (uint8_t)opt;
  pl->loop[p] = (uint8_t)loop;
  pl->elem[pl->nelem].kind = RX_E_POS;
  pl->elem[pl->nelem++].pos = p;
}

/* x{m,n} -> m mandatory copies then n-m optional ones; x{m,} -> m copies,
 * the last looping (x* -> one optional looping copy). */
static void rx_expand_atom(rx_plan *pl, const rx_item *it) {
  if (it->max == RX_INF) {
    for (unsigned k = 1; k < it->min; k++)
      rx_emit_pos(pl, &it->set, 0, 0);
    rx_emit_pos(pl, &it->set, it->min == 0, 1);
    return;
  }
  for (unsigned k = 0; k < it->max; k++)
    rx_emit_pos(pl, &it->set, k >= it->min, 0);
}

static void rx_expand(rx_plan *pl, const rx_item *items, size_t n) {
  pl->alt[0].first = 0;
  for (size_t k = 0; k < n; k++) {
    const rx_item *it = &items[k];
    if (it->kind == RX_ATOM) {
      rx_expand_atom(pl, it);
    } else if (it->kind == RX_ALT) {
      pl->alt[pl->nalt].count = pl->nelem - pl->alt[pl->nalt].first;
      pl->alt[++pl->nalt].first = pl->nelem;
    } else {
      pl->elem[pl->nelem].kind = it->kind == RX_CARET ? RX_E_CARET : RX_E_DOLLAR;
      pl->elem[pl->nelem++].pos = 0;
    }
  }
  pl->alt[pl->nalt].count = pl->nelem - pl->alt[pl->nalt].first;
  pl->nalt++;
}

/* ------------------------------------------------------------------ */
/* Automaton masks                                                      */
/* ------------------------------------------------------------------ */

/* Masks in tw_regex.mem, each nw words: 256 byte masks, then these. */
enum {
  RX_M_LOOP = 256, /* position may repeat */
  RX_M_NB,         /* position directly follows the previous one */
  RX_M_PROP,       /* position is skippable and directly followed */
  RX_M_FIRST_ANY,  /* reachable from the start of an alternative */
  RX_M_FIRST_AT0,  /* reachable from the start only across a '^' */
  RX_M_FINAL,      /* the rest of the alternative can be skipped */
  RX_M_FINAL_END,  /* ... at the end of the subject (across '$') */
  RX_M_COUNT
};

static void rx_bit_set(uint64_t *m, size_t p) { m[p >> 6] |= (uint64_t)1 << (p & 63); }

/* Mask k of re, writable while compiling. */
static uint64_t *rx_mask(tw_regex *re, size_t k) { return re->mem + k * re->nw; }

static int rx_alloc_masks(tw_regex *re, size_t npos) {
  re->npos = npos;
  re->nw = npos ? (npos + 63) / 64 : 1;
  re->mem = calloc((size_t)RX_M_COUNT * re->nw, sizeof *re->mem);
  if (!re->mem)
    return TW_ENOMEM;
  re->byte = re->mem;
  re->loop = rx_mask(re, RX_M_LOOP);
  re->nb = rx_mask(re, RX_M_NB);
  re->prop = rx_mask(re, RX_M_PROP);
  re->first_any = rx_mask(re, RX_M_FIRST_ANY);
  re->first_at0 = rx_mask(re, RX_M_FIRST_AT0);
  re->final = rx_mask(re, RX_M_FINAL);
  re->final_end = rx_mask(re, RX_M_FINAL_END);
  return TW_OK;
}

/* Per-position masks: bytes, loop, "no barrier before", propagation. */
static void rx_build_position_masks(tw_regex *re, const rx_plan *pl) {
  for (size_t p = 0; p < pl->npos; p++) {
    for (unsigned c = 0; c < 256; c++)
      if (rx_set_has(pl->set[p], c))
        rx_bit_set(rx_mask(re, c), p);
    if (pl->loop[p])
      rx_bit_set(rx_mask(re, RX_M_LOOP), p);
  }
  for (size_t e = 1; e < pl->nelem; e++) {
    const rx_elem *a = &pl->elem[e - 1], *b = &pl->elem[e];
    if (a->kind != RX_E_POS || b->kind != RX_E_POS || b->pos != a->pos + 1)
      continue;
    rx_bit_set(rx_mask(re, RX_M_NB), b->pos);
    if (pl->opt[a->pos])
      rx_bit_set(rx_mask(re, RX_M_PROP), a->pos); /* skipping a reaches b */
  }
}

/* First positions of an alternative, and whether it matches empty. */
static void rx_build_alt_first(tw_regex *re, const rx_plan *pl, const rx_alt *alt) {
  int caret = 0, dollar = 0, nullable = 1;
  for (size_t e = alt->first; e < alt->first + alt->count; e++) {
    const rx_elem *el = &pl->elem[e];
    if (el->kind == RX_E_CARET) {
      caret = 1;
    } else if (el->kind == RX_E_DOLLAR) {
      dollar = 1;
    } else {
      if (!dollar)
        rx_bit_set(rx_mask(re, caret ? RX_M_FIRST_AT0 : RX_M_FIRST_ANY), el->pos);
      if (!pl->opt[el->pos])
        nullable = 0;
    }
    if (!nullable)
      break;
  }
  if (nullable && caret && dollar)
    re->empty_only = 1;
  else if (nullable)
    re->empty_any = 1;
}

/* Final positions: the rest of the alternative can be skipped (final),
 * or skipped while crossing only '$' (final_end). */
static void rx_build_alt_final(tw_regex *re, const rx_plan *pl, const rx_alt *alt) {
  int plain = 1, at_end = 1;
  for (size_t e = alt->first + alt->count; e-- > alt->first && at_end;) {
    const rx_elem *el = &pl->elem[e];
    if (el->kind == RX_E_CARET) {
      plain = at_end = 0;
    } else if (el->kind == RX_E_DOLLAR) {
      plain = 0;
    } else {
      if (plain)
        rx_bit_set(rx_mask(re, RX_M_FINAL), el->pos);
      rx_bit_set(rx_mask(re, RX_M_FINAL_END), el->pos);
      if (!pl->opt[el->pos])
        plain = at_end = 0;
    }
  }
}

static int rx_mask_empty(const uint64_t *m, size_t nw) {
  for (size_t k = 0; k < nw; k++)
    if (m[k])
      return 0;
  return 1;
}

/* ------------------------------------------------------------------ */
/* Required literals (pre-check)                                        */
/* ------------------------------------------------------------------ */

static int rx_pos_literal(const rx_plan *pl, size_t p, unsigned *c) {
  return !pl->opt[p] && rx_set_single(pl->set[p], c);
}

/* Longest run of mandatory single-byte positions that every match of the
 * alternative contains verbatim. Only the first and last position of the
 * run may loop. */
static void rx_alt_literal(const rx_plan *pl, const rx_alt *alt, size_t *best_first,
                           size_t *best_len, int *pure) {
  size_t run_first = 0, run_len = 0;
  unsigned c;
  *best_len = 0;
  *pure = 1;
  for (size_t e = alt->first; e < alt->first + alt->count; e++) {
    const rx_elem *el = &pl->elem[e];
    if (el->kind != RX_E_POS || !rx_pos_literal(pl, el->pos, &c)) {
      *pure = 0;
      run_len = 0;
      continue;
    }
    if (pl->loop[el->pos])
      *pure = 0;
    if (run_len >= 2 && pl->loop[el->pos - 1]) {
      run_first = el->pos - 1;
      run_len = 1;
    }
    if (run_len == 0)
      run_first = el->pos;
    run_len++;
    if (run_len > *best_len) {
      *best_first = run_first;
      *best_len = run_len;
    }
  }
  if (*best_len == 0)
    *pure = 0;
}

static int rx_build_literals(tw_regex *re, const rx_plan *pl) {
  size_t first[RX_MAX_LITS] = {0}, total = 0;
  if (pl->nalt > RX_MAX_LITS)
    return TW_OK;
  for (size_t a = 0; a < pl->nalt; a++) {
    rx_lit *l = &re->lits[a];
    rx_alt_literal(pl, &pl->alt[a], &first[a], &l->len, &l->pure);
    if (!l->pure && l->len < RX_MIN_LIT)
      return TW_OK;
    l->off = total;
    total += l->len;
  }
  re->litbuf = malloc(total);
  if (!re->litbuf)
    return TW_ENOMEM;
  for (size_t a = 0; a < pl->nalt; a++) {
    unsigned c = 0;
    for (size_t k = 0; k < re->lits[a].len; k++) {
      rx_set_single(pl->set[first[a] + k], &c);
      re->litbuf[re->lits[a].off + k] = (char)c;
    }
  }
  re->nlit = pl->nalt;
  re->prefilter = 1;
  return TW_OK;
}

static int rx_build(tw_regex *re, const rx_plan *pl) {
  int rc = rx_alloc_masks(re, pl->npos);
  if (rc != TW_OK)
    return rc;
  rx_build_position_masks(re, pl);
  for (size_t a = 0; a < pl->nalt; a++) {
    rx_build_alt_first(re, pl, &pl->alt[a]);
    rx_build_alt_final(re, pl, &pl->alt[a]);
  }
  re->anchored = rx_mask_empty(re->first_any, re->nw);
  /* an anchored automaton dies within a few bytes: no pre-check needed */
  return re->anchored ? TW_OK : rx_build_literals(re, pl);
}

/* ------------------------------------------------------------------ */
/* Compile                                                              */
/* ------------------------------------------------------------------ */

static int rx_compile_items(const rx_item *items, size_t nitems, tw_regex *re, tw_error *err) {
  rx_plan pl;
  size_t npos = 0;
  memset(&pl, 0, sizeof pl);
  int rc = rx_count_positions(items, nitems, &npos, err);
  if (rc != TW_OK)
    return rc;
  rc = rx_plan_alloc(&pl, nitems, npos);
  if (rc == TW_OK) {
    rx_expand(&pl, items, nitems);
    rc = rx_build(re, &pl);
  }
  rx_plan_free(&pl);
  if (rc == TW_ENOMEM)
    tw_error_set(err, TW_ENOMEM, 0, "out of memory compiling regex");
  return rc;
}

int tw_regex_compile(const char *body, size_t len, tw_regex **out, tw_error *err) {
  if (!out || (!body && len))
    return tw_error_set(err, TW_EINVAL, 0, "invalid argument");
  if (len == 0)
    return tw_error_set(err, TW_ESYNTAX, 1, "empty regex");
  rx_parser p = {(const unsigned char *)body, len, 0, err, NULL, 0};
  int rc = rx_check_chars(p.s, len, err);
  if (rc != TW_OK)
    return rc;
  p.items = malloc(len * sizeof *p.items);
  tw_regex *re = calloc(1, sizeof *re);
  if (!p.items || !re) {
    free(p.items);
    free(re);
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory compiling regex");
  }
  rc = rx_parse(&p);
  if (rc == TW_OK)
    rc = rx_compile_items(p.items, p.nitems, re, err);
  free(p.items);
  if (rc != TW_OK) {
    tw_regex_free(re);
    return rc;
  }
  *out = re;
  return TW_OK;
}

void tw_regex_free(tw_regex *re) {
  if (!re)
    return;
  free(re->mem);
  free(re->litbuf);
  free(re);
}

/* ------------------------------------------------------------------ */
/* Search                                                               */
/* ------------------------------------------------------------------ */

/* next = (d & loop) | closure((d << 1) & nb) over optional runs, where the
 * closure adds, for a reached position q, q+1.. while positions are
 * skippable; done for all runs at once with an add-with-carry. */
static void rx_step_follow(const tw_regex *re, const uint64_t *d, uint64_t *next) {
  uint64_t shift_in = 0, carry = 0;
  for (size_t k = 0; k < re->nw; k++) {
    uint64_t s = ((d[k] << 1) | shift_in) & re->nb[k];
    uint64_t pm = re->prop[k];
    uint64_t sum = pm + (s & pm);
    uint64_t c1 = sum < pm;
    uint64_t sum2 = sum + carry;
    carry = c1 | (sum2 < sum);
    shift_in = d[k] >> 63;
    next[k] = (d[k] & re->loop[k]) | s | (sum2 ^ pm);
  }
}

static int rx_any_and(const uint64_t *a, const uint64_t *b, size_t nw) {
  for (size_t k = 0; k < nw; k++)
    if (a[k] & b[k])
      return 1;
  return 0;
}

static int rx_run(const tw_regex *re, const unsigned char *s, size_t len) {
  uint64_t d[RX_MAX_WORDS], next[RX_MAX_WORDS];
  size_t nw = re->nw;
  memset(d, 0, nw * sizeof d[0]);
  for (size_t i = 0; i < len; i++) {
    const uint64_t *bm = re->byte + (size_t)s[i] * nw;
    uint64_t live = 0;
    rx_step_follow(re, d, next);
    for (size_t k = 0; k < nw; k++) {
      uint64_t v = next[k] | re->first_any[k] | (i == 0 ? re->first_at0[k] : 0);
      d[k] = v & bm[k];
      live |= d[k];
    }
    if (rx_any_and(d, re->final, nw))
      return 1;
    if (i + 1 == len && rx_any_and(d, re->final_end, nw))
      return 1;
    if (!live && re->anchored)
      return 0;
  }
  return 0;
}

/* -1: the pre-check cannot decide; 0 / 1: the answer. */
static int rx_precheck(const tw_regex *re, const char *s, size_t len) {
  int any = 0;
  for (size_t a = 0; a < re->nlit; a++) {
    const rx_lit *l = &re->lits[a];
    if (!memmem(s, len, re->litbuf + l->off, l->len))
      continue;
    if (l->pure)
      return 1;
    any = 1;
  }
  return any ? -1 : 0;
}

int tw_regex_search(const tw_regex *re, const char *s, size_t len) {
  if (!re)
    return 0;
  if (re->empty_any)
    return 1;
  if (len == 0)
    return re->empty_only;
  if (re->prefilter) {
    int r = rx_precheck(re, s, len);
    if (r >= 0)
      return r;
  }
  return rx_run(re, (const unsigned char *)s, len);
}
