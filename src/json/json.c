/*
 * json.c — tw_json_scan, the one-pass validating scanner of the JSON
 * reader (contract in json.h, design notes in docs/json-reader.md).
 *
 * The scanner is an explicit state machine over the bytes: one frame per
 * open container (no recursion), each frame holding the plan automaton
 * state of that container (see json_plan.c). Values whose state carries
 * path ids are reported to the visitor; subtrees whose state is dead (no
 * plan path continues below) go through tw_json_skip, a tighter loop that
 * only validates. Nothing is allocated: the frame stack lives in a struct
 * on the caller's stack.
 */
#include <string.h>

#include "json/json_internal.h"

typedef const unsigned char *tw_json_ptr;

typedef struct tw_json_frame {
  uint32_t state;    /* automaton state of this container */
  uint32_t is_array;
  uint64_t index;    /* index of the current element (arrays) */
} tw_json_frame;

typedef struct tw_json_scanner {
  const tw_json_dfa *dfa;
  const char *keys;  /* plan key bytes, referenced by the key tables */
  tw_json_visit_fn visit;
  void *ctx;
  tw_json_ptr end;
  size_t depth;      /* open containers in stack[] */
  tw_json_frame stack[TW_JSON_MAX_DEPTH];
} tw_json_scanner;

/* ------------------------------------------------------------------ */
/* Lexical pieces                                                      */
/* ------------------------------------------------------------------ */

static inline tw_json_ptr tw_json_ws(tw_json_ptr p, tw_json_ptr end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  return p;
}

/* Mask with the high bit set in each byte of x that is '"', '\\', a
 * control character or non-ASCII. Bits above the lowest set one may be
 * false positives (borrow), the lowest one is exact. */
static inline uint64_t tw_json_special8(uint64_t x) {
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
  uint64_t lt = (x - ones * 0x20) & ~x;
  uint64_t zq = (q - ones) & ~q, zb = (b - ones) & ~b;
  return (x | lt | zq | zb) & highs;
}

/* Skip plain string bytes 8 at a time; stops at or before the first
 * byte that needs a closer look. */
static inline tw_json_ptr tw_json_plain_run(tw_json_ptr p, tw_json_ptr end) {
  while (end - p >= 8) {
    uint64_t x;
    memcpy(&x, p, sizeof x);
    uint64_t m = tw_json_special8(x);
    if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      p += __builtin_ctzll(m) >> 3;
#endif
      return p;
    }
    p += 8;
  }
  return p;
}

/* p is just after an opening quote. Validates the string body (UTF-8,
 * no control characters, valid escapes and surrogate pairs) and returns
 * the position of the closing quote, or NULL. *has_esc is set to 1 when
 * the body contains an escape. */
static tw_json_ptr tw_json_string(tw_json_ptr p, tw_json_ptr end, int *has_esc) {
  for (;;) {
    p = tw_json_plain_run(p, end);
    if (p == end)
      return NULL;
    unsigned char c = *p;
    if (c == '"')
      return p;
    if (c == '\\') {
      uint32_t cp;
      size_t n = tw_json_escape(p, end, &cp);
      if (!n)
        return NULL;
      *has_esc = 1;
      p += n;
    } else if (c >= 0x80) {
      size_t n = tw_json_utf8_len(p, end);
      if (!n)
        return NULL;
      p += n;
    } else if (c < 0x20) {
      return NULL;
    } else {
      p++;
    }
  }
}

static inline int tw_json_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

static size_t tw_json_digits(const unsigned char *p, const unsigned char *e) {
  const unsigned char *s = p;
  while (p < e && tw_json_digit(*p))
    p++;
  return (size_t)(p - s);
}

size_t tw_json_number_span(const char *text, size_t len) {
  const unsigned char *p = (const unsigned char *)text, *e = p + len;
  if (p < e && *p == '-')
    p++;
  if (p == e)
    return 0;
  if (*p == '0')
    p++;
  else if (*p >= '1' && *p <= '9')
    p += tw_json_digits(p, e);
  else
    return 0;
  if (p < e && *p == '.') {
    size_t n = tw_json_digits(p + 1, e);
    if (!n)
      return 0;
    p += 1 + n;
  }
  if (p < e && (*p | 0x20) == 'e') {
    p++;
    if (p < e && (*p == '+' || *p == '-'))
      p++;
    size_t n = tw_json_digits(p, e);
    if (!n)
      return 0;
    p += n;
  }
  return (size_t)(p - (const unsigned char *)text);
}

static tw_json_ptr tw_json_literal(tw_json_ptr p, tw_json_ptr end,
                                   const char *word, size_t n) {
  if ((size_t)(end - p) < n || memcmp(p, word, n) != 0)
    return NULL;
  return p + n;
}

/* Scan one scalar starting at p (not whitespace); fills *v and returns
 * the position after it, or NULL when it is not a valid scalar. */
static tw_json_ptr tw_json_scalar(tw_json_ptr p, tw_json_ptr end,
                                  tw_json_value *v) {
  tw_json_ptr q;
  v->ptr = (const char *)p;
  v->has_escapes = 0;
  switch (*p) {
  case '"':
    q = tw_json_string(p + 1, end, &v->has_escapes);
    if (!q)
      return NULL;
    v->type = TW_JSON_STRING;
    v->ptr = (const char *)p + 1;
    v->len = (size_t)(q - p - 1);
    return q + 1;
  case 't':
    v->type = TW_JSON_TRUE;
    q = tw_json_literal(p, end, "true", 4);
    break;
  case 'f':
    v->type = TW_JSON_FALSE;
    q = tw_json_literal(p, end, "false", 5);
    break;
  case 'n':
    v->type = TW_JSON_NULL;
    q = tw_json_literal(p, end, "null", 4);
    break;
  default: {
    size_t n = tw_json_number_span((const char *)p, (size_t)(end - p));
    v->type = TW_JSON_NUMBER;
    q = n ? p + n : NULL;
  }
  }
  if (q)
    v->len = (size_t)(q - p);
  return q;
}

/* ------------------------------------------------------------------ */
/* Subtrees no plan path reaches                                       */
/* ------------------------------------------------------------------ */

/* Validate the value at p (not whitespace) without reporting anything;
 * room = how many more containers may be nested. Returns the position
 * after the value, or NULL when it is invalid. */
static tw_json_ptr tw_json_skip(tw_json_ptr p, tw_json_ptr end, size_t room) {
  uint64_t arrays[TW_JSON_MAX_DEPTH / 64 + 1] = {0}; /* bit set = array */
  size_t depth = 0;
  tw_json_value v;
  int esc;
value:
  p = tw_json_ws(p, end);
  if (p == end)
    return NULL;
  if (*p == '{' || *p == '[') {
    if (depth == room)
      return NULL;
    int is_array = *p == '[';
    uint64_t bit = 1ull << (depth & 63);
    arrays[depth >> 6] = is_array ? arrays[depth >> 6] | bit
                                  : arrays[depth >> 6] & ~bit;
    depth++;
    p = tw_json_ws(p + 1, end);
    if (p == end)
      return NULL;
    if (*p == (is_array ? ']' : '}')) {
      p++;
      depth--;
      goto after;
    }
    if (is_array)
      goto value;
    goto member;
  }
  p = tw_json_scalar(p, end, &v);
  if (!p)
    return NULL;
after:
  if (depth == 0)
    return p;
  p = tw_json_ws(p, end);
  if (p == end)
    return NULL;
  {
    int is_array = (arrays[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1;
    if (*p == ',') {
      p++;
      if (is_array)
        goto value;
      goto member;
    }
    if (*p != (is_array ? ']' : '}'))
      return NULL;
    p++;
    depth--;
    goto after;
  }
member:
  p = tw_json_ws(p, end);
  if (p == end || *p != '"')
    return NULL;
  esc = 0;
  p = tw_json_string(p + 1, end, &esc);
  if (!p)
    return NULL;
  p = tw_json_ws(p + 1, end);
  if (p == end || *p != ':')
    return NULL;
  p++;
  goto value;
}

/* End of the container at p ('{' or '['), matching brackets outside
 * strings without validating; NULL when it is not closed. Used to give
 * the span of a container that is reported before its contents. */
static tw_json_ptr tw_json_find_end(tw_json_ptr p, tw_json_ptr end) {
  size_t depth = 0;
  while (p < end) {
    unsigned char c = *p++;
    if (c == '"') {
      while (p < end && *p != '"')
        p += (*p == '\\' && end - p >= 2) ? 2 : 1;
      if (p == end)
        return NULL;
      p++;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return p;
    }
  }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Plan transitions                                                    */
/* ------------------------------------------------------------------ */

/* Next decoded byte of a validated member name; returns 0 at the end.
 * pend[] holds the rest of a multi-byte escape. */
typedef struct tw_json_name_iter {
  tw_json_ptr p, end;
  unsigned char pend[4];
  size_t npend, ipend;
} tw_json_name_iter;

static int tw_json_name_next(tw_json_name_iter *it, unsigned char *out) {
  if (it->ipend < it->npend) {
    *out = it->pend[it->ipend++];
    return 1;
  }
  if (it->p == it->end)
    return 0;
  if (*it->p != '\\') {
    *out = *it->p++;
    return 1;
  }
  uint32_t cp = 0;
  size_t n = tw_json_escape(it->p, it->end, &cp);
  it->p += n ? n : 1; /* the name was validated: n > 0 */
  it->npend = tw_json_utf8_put(cp, it->pend);
  it->ipend = 1;
  *out = it->pend[0];
  return 1;
}

static uint32_t tw_json_name_hash(tw_json_ptr k, size_t klen, int esc) {
  uint32_t h = TW_JSON_HASH_INIT;
  if (!esc) {
    for (size_t i = 0; i < klen; i++)
      h = tw_json_hash_step(h, k[i]);
    return h;
  }
  tw_json_name_iter it = {k, k + klen, {0}, 0, 0};
  unsigned char c;
  while (tw_json_name_next(&it, &c))
    h = tw_json_hash_step(h, c);
  return h;
}

static int tw_json_name_equal(tw_json_ptr k, size_t klen, int esc,
                              const char *key, size_t key_len) {
  if (!esc)
    return klen == key_len && (klen == 0 || memcmp(k, key, klen) == 0);
  if (key_len > klen)
    return 0; /* decoding never lengthens */
  tw_json_name_iter it = {k, k + klen, {0}, 0, 0};
  unsigned char c;
  size_t i = 0;
  while (tw_json_name_next(&it, &c))
    if (i == key_len || (unsigned char)key[i++] != c)
      return 0;
  return i == key_len;
}

static uint32_t tw_json_key_next(const tw_json_scanner *sc, uint32_t state,
                                 tw_json_ptr k, size_t klen, int esc) {
  const tw_json_dstate *st = &sc->dfa->states[state];
  if (!st->key_cap)
    return st->key_default;
  const tw_json_dkey *table = sc->dfa->keys + st->key_off;
  uint32_t h = tw_json_name_hash(k, klen, esc), mask = st->key_cap - 1;
  for (uint32_t j = h & mask; table[j].next; j = (j + 1) & mask)
    if (table[j].hash == h &&
        tw_json_name_equal(k, klen, esc, sc->keys + table[j].key_off,
                           table[j].key_len))
      return table[j].next;
  return st->key_default;
}

static uint32_t tw_json_index_next(const tw_json_scanner *sc, uint32_t state,
                                   uint64_t index) {
  const tw_json_dstate *st = &sc->dfa->states[state];
  if (!st->idx_n)
    return st->idx_default;
  const tw_json_didx *v = sc->dfa->idx + st->idx_off;
  size_t lo = 0, hi = st->idx_n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid].index == index)
      return v[mid].next;
    if (v[mid].index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return st->idx_default;
}

/* Report v under every path id of state; returns the visitor's status. */
static int tw_json_report(const tw_json_scanner *sc, uint32_t state,
                          const tw_json_value *v) {
  const tw_json_dstate *st = &sc->dfa->states[state];
  for (uint32_t i = 0; i < st->ids_n; i++) {
    int rc = sc->visit(sc->ctx, sc->dfa->ids[st->ids_off + i], v);
    if (rc)
      return rc;
  }
  return TW_OK;
}

/* ------------------------------------------------------------------ */
/* The scan loop                                                       */
/* ------------------------------------------------------------------ */

static int tw_json_has_ids(const tw_json_scanner *sc, uint32_t state) {
  return state != TW_JSON_DEAD && sc->dfa->states[state].ids_n != 0;
}

/* Container at *pp with state `state` that no path continues into:
 * validate it with tw_json_skip, then report it if its state has ids. */
static int tw_json_container_leaf(tw_json_scanner *sc, uint32_t state,
                                  tw_json_ptr *pp) {
  tw_json_ptr p = *pp;
  tw_json_ptr q = tw_json_skip(p, sc->end, TW_JSON_MAX_DEPTH - sc->depth);
  if (!q)
    return TW_ESYNTAX;
  *pp = q;
  if (!tw_json_has_ids(sc, state))
    return TW_OK;
  tw_json_value v = {*p == '[' ? TW_JSON_ARRAY : TW_JSON_OBJECT, 0,
                     (const char *)p, (size_t)(q - p)};
  return tw_json_report(sc, state, &v);
}

/* Open the container at p with a live state: report it first (its span
 * found by tw_json_find_end) when it carries ids, then push a frame. */
static int tw_json_container_open(tw_json_scanner *sc, uint32_t state,
                                  tw_json_ptr p) {
  if (sc->depth == TW_JSON_MAX_DEPTH)
    return TW_ESYNTAX;
  if (tw_json_has_ids(sc, state)) {
    tw_json_ptr q = tw_json_find_end(p, sc->end);
    if (!q)
      return TW_ESYNTAX;
    tw_json_value v = {*p == '[' ? TW_JSON_ARRAY : TW_JSON_OBJECT, 0,
                       (const char *)p, (size_t)(q - p)};
    int rc = tw_json_report(sc, state, &v);
    if (rc)
      return rc;
  }
  tw_json_frame *f = &sc->stack[sc->depth++];
  f->state = state;
  f->is_array = *p == '[';
  f->index = 0;
  return TW_OK;
}

/* Parse the member name and ':' at p; *state becomes the value's state. */
static int tw_json_member(tw_json_scanner *sc, tw_json_ptr *pp,
                          uint32_t *state) {
  tw_json_ptr p = tw_json_ws(*pp, sc->end);
  if (p == sc->end || *p != '"')
    return TW_ESYNTAX;
  int esc = 0;
  tw_json_ptr k = p + 1, q = tw_json_string(k, sc->end, &esc);
  if (!q)
    return TW_ESYNTAX;
  p = tw_json_ws(q + 1, sc->end);
  if (p == sc->end || *p != ':')
    return TW_ESYNTAX;
  *pp = p + 1;
  uint32_t fs = sc->stack[sc->depth - 1].state;
  *state = tw_json_key_next(sc, fs, k, (size_t)(q - k), esc);
  return TW_OK;
}

/* Scan the value at *pp (the root) with the start state. */
static int tw_json_walk(tw_json_scanner *sc, uint32_t state, tw_json_ptr *pp) {
  tw_json_ptr p = *pp, end = sc->end;
  tw_json_frame *f;
  tw_json_value v;
  int rc;
value:
  p = tw_json_ws(p, end);
  if (p == end)
    return TW_ESYNTAX;
  if (*p == '{' || *p == '[') {
    if (state == TW_JSON_DEAD || !sc->dfa->states[state].live) {
      if ((rc = tw_json_container_leaf(sc, state, &p)) != TW_OK)
        return rc;
      goto after;
    }
    if ((rc = tw_json_container_open(sc, state, p)) != TW_OK)
      return rc;
    f = &sc->stack[sc->depth - 1];
    p = tw_json_ws(p + 1, end);
    if (p == end)
      return TW_ESYNTAX;
    if (*p == (f->is_array ? ']' : '}')) {
      p++;
      sc->depth--;
      goto after;
    }
    if (!f->is_array)
      goto member;
    state = tw_json_index_next(sc, f->state, 0);
    goto value;
  }
  if (!(p = tw_json_scalar(p, end, &v)))
    return TW_ESYNTAX;
  if (tw_json_has_ids(sc, state) && (rc = tw_json_report(sc, state, &v)))
    return rc;
after:
  if (sc->depth == 0) {
    *pp = p;
    return TW_OK;
  }
  p = tw_json_ws(p, end);
  if (p == end)
    return TW_ESYNTAX;
  f = &sc->stack[sc->depth - 1];
  if (*p == ',') {
    p++;
    if (!f->is_array)
      goto member;
    state = tw_json_index_next(sc, f->state, ++f->index);
    goto value;
  }
  if (*p != (f->is_array ? ']' : '}'))
    return TW_ESYNTAX;
  p++;
  sc->depth--;
  goto after;
member:
  if ((rc = tw_json_member(sc, &p, &state)) != TW_OK)
    return rc;
  goto value;
}

static tw_json_type tw_json_type_at(unsigned char c) {
  switch (c) {
  case '{': return TW_JSON_OBJECT;
  case '[': return TW_JSON_ARRAY;
  case '"': return TW_JSON_STRING;
  case 't': return TW_JSON_TRUE;
  case 'f': return TW_JSON_FALSE;
  case 'n': return TW_JSON_NULL;
  default: return TW_JSON_NUMBER;
  }
}

int tw_json_scan(const tw_json_plan *plan, const char *doc, size_t len,
                 tw_json_visit_fn visit, void *ctx, tw_json_type *root_type) {
  if (!doc && len)
    return TW_EINVAL;
  static const char empty[1] = "";
  tw_json_ptr p = (tw_json_ptr)(doc ? doc : empty), end = p + len;
  p = tw_json_ws(p, end);
  if (p == end)
    return TW_ESYNTAX;
  tw_json_type type = tw_json_type_at(*p);
  int rc;
  if (plan && visit) {
    tw_json_scanner sc;
    sc.dfa = &plan->dfa;
    sc.keys = plan->keys.data ? plan->keys.data : empty;
    sc.visit = visit;
    sc.ctx = ctx;
    sc.end = end;
    sc.depth = 0;
    rc = tw_json_walk(&sc, TW_JSON_START, &p);
  } else {
    p = tw_json_skip(p, end, TW_JSON_MAX_DEPTH);
    rc = p ? TW_OK : TW_ESYNTAX;
  }
  if (rc == TW_OK && tw_json_ws(p, end) != end)
    rc = TW_ESYNTAX;
  if (rc != TW_ESYNTAX && root_type)
    *root_type = type;
  return rc;
}
