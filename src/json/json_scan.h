/*
 * json_scan.h — the scanner of the JSON reader as a template: json.c
 * includes this file once per code path (scalar, SSE2, AVX2, AVX-512),
 * after defining
 *   TW_SFX          the suffix of every function defined here (_sse2, ...)
 *   TW_FN           function attributes (the target instruction set)
 *   TW_STR_BLOCK    the string kernels of json_simd.h for this path
 *   TW_STR_TAIL     (SIMD paths), or
 *   TW_STR_RUN      the string kernel without a cursor (scalar path)
 *   TW_WS_RUN       the whitespace kernel
 * and undefines them afterwards. Each instance is a complete scanner with
 * the kernels inlined, so choosing a path costs one branch per document
 * (tw_json_scan_simd in json.c). The helpers that do not depend on the
 * instruction set (numbers, plan transitions) are plain static functions
 * of json.c.
 *
 * Everything reads inside [lo, end) only, where lo/end delimit the whole
 * document (the kernels may look back from p towards lo, never past it).
 *
 * On the SIMD paths, strings are skipped with a cursor (tw_json_cursor,
 * json.c): the mask of special bytes of the current 64-byte block of the
 * document (blocks start at lo + 64k). Finding the end of a string inside
 * the block is a shift and a count of trailing zeros, off the chain of
 * dependent loads; a new block costs one kernel call. The cursor only
 * moves forward, like the scan. The scalar path searches each string with
 * TW_STR_RUN (8 bytes at a time) and ignores the cursor.
 */

#define TW_CAT2(a, b) a##b
#define TW_CAT(a, b) TW_CAT2(a, b)
#define TW_N(name) TW_CAT(name, TW_SFX)

static inline __attribute__((always_inline)) TW_FN tw_json_ptr
TW_N(tw_json_ws)(tw_json_cursor *c, tw_json_ptr p, tw_json_ptr end,
                tw_json_ptr lo) {
  if (p < end && *p > ' ')
    return p; /* compact JSON: no whitespace at all */
  /* Short runs (a space after ':', a newline and indentation) byte by
   * byte: the trip count is often predicted, which beats the latency of
   * a vector compare (measured: pretty-printed events 1.3 times as fast);
   * longer runs go to the kernel. */
  for (int k = 0; k < 16; k++, p++)
    if (p == end || !tw_json_is_ws(*p)) {
      c->ws |= k > 0;
      return p;
    }
  c->ws = 1;
  return TW_WS_RUN(p, end, lo);
}

#ifndef TW_STR_RUN
/* The last, partial block b of the document (n = end - lo bytes), into the
 * cursor; the first special byte at or after offset i in it, or end. */
static TW_FN tw_json_ptr TW_N(tw_json_special_tail)(tw_json_cursor *c,
                                                    tw_json_ptr lo, size_t i,
                                                    size_t b, size_t n) {
  c->base = b;
  c->bits = TW_STR_TAIL(lo + b, n - b, lo);
  uint64_t m = c->bits;
  if (b < i)
    m &= ~0ull << (i - b);
  return m ? lo + b + __builtin_ctzll(m) : lo + n;
}

/* The first special byte at or after p, when it is not in the cursor's
 * block: load the following blocks into the cursor until one has it. */
static inline __attribute__((always_inline)) TW_FN tw_json_ptr
TW_N(tw_json_special_next)(tw_json_cursor *c, tw_json_ptr p, tw_json_ptr end,
                           tw_json_ptr lo) {
  size_t i = (size_t)(p - lo), n = (size_t)(end - lo);
  size_t b = i & ~(size_t)63;
  if (b == c->base)
    b += 64; /* the rest of this block is plain */
  for (; b < n && n - b >= 64; b += 64) {
    uint64_t m = TW_STR_BLOCK(lo + b);
    c->base = b;
    c->bits = m;
    if (b < i)
      m &= ~0ull << (i - b);
    if (m)
      return lo + b + __builtin_ctzll(m);
  }
  if (b < n)
    return TW_N(tw_json_special_tail)(c, lo, i, b, n);
  return end;
}
#endif

/* The first byte at or after p (p <= end) that is '"', '\\', a control
 * or a non-ASCII byte; end when there is none. */
static inline __attribute__((always_inline)) TW_FN tw_json_ptr
TW_N(tw_json_special)(tw_json_cursor *c, tw_json_ptr p, tw_json_ptr end,
                      tw_json_ptr lo) {
#ifdef TW_STR_RUN
  (void)c;
  return TW_STR_RUN(p, end, lo);
#else
  size_t off = (size_t)(p - lo) - c->base;
  if (off < 64) {
    uint64_t m = c->bits >> off;
    if (m)
      return p + __builtin_ctzll(m);
  }
  return TW_N(tw_json_special_next)(c, p, end, lo);
#endif
}

/* The string body from p on, p at a special byte that is not the closing
 * quote (or at end): escapes, UTF-8 sequences, errors. Returns the
 * closing quote or NULL; sets *has_esc when an escape is seen. */
static TW_FN tw_json_ptr TW_N(tw_json_string_slow)(tw_json_cursor *c,
                                                   tw_json_ptr p,
                                                   tw_json_ptr end,
                                                   tw_json_ptr lo,
                                                   int *has_esc) {
  for (;;) {
    if (p == end)
      return NULL;
    unsigned char ch = *p;
    if (ch == '"')
      return p;
    if (ch == '\\') {
      uint32_t cp;
      size_t n = tw_json_escape(p, end, &cp);
      if (!n)
        return NULL;
      *has_esc = 1;
      p += n;
    } else if (ch >= 0x80) {
      do { /* a run of non-ASCII characters */
        size_t n = tw_json_utf8_len(p, end);
        if (!n)
          return NULL;
        p += n;
      } while (p < end && *p >= 0x80);
    } else {
      return NULL; /* a control character */
    }
    p = TW_N(tw_json_special)(c, p, end, lo);
  }
}

/* p is just after an opening quote. Validates the string body (UTF-8, no
 * control characters, valid escapes and surrogate pairs) and returns the
 * position of the closing quote, or NULL. */
static inline __attribute__((always_inline)) TW_FN tw_json_ptr
TW_N(tw_json_string)(tw_json_cursor *c, tw_json_ptr p, tw_json_ptr end,
                     tw_json_ptr lo, int *has_esc) {
  p = TW_N(tw_json_special)(c, p, end, lo);
  if (p < end && *p == '"')
    return p;
  return TW_N(tw_json_string_slow)(c, p, end, lo, has_esc);
}

/* Scan one scalar starting at p (not whitespace); fills *v and returns
 * the position after it, or NULL when it is not a valid scalar. */
static inline TW_FN tw_json_ptr TW_N(tw_json_scalar)(tw_json_cursor *c,
                                                     tw_json_ptr p,
                                                     tw_json_ptr end,
                                                     tw_json_ptr lo,
                                                     tw_json_value *v) {
  v->ptr = (const char *)p;
  v->has_escapes = 0;
  if (*p == '"') {
    tw_json_ptr q = TW_N(tw_json_string)(c, p + 1, end, lo, &v->has_escapes);
    if (!q)
      return NULL;
    v->type = TW_JSON_STRING;
    v->ptr = (const char *)p + 1;
    v->len = (size_t)(q - p - 1);
    return q + 1;
  }
  return tw_json_bare_scalar(p, end, v);
}

/* ------------------------------------------------------------------ */
/* Subtrees no plan path reaches                                       */
/* ------------------------------------------------------------------ */

/* Validate the value at p (not whitespace) without reporting anything;
 * room = how many more containers may be nested. Returns the position
 * after the value, or NULL when it is invalid. The cursor is kept in a
 * local copy (registers) and written back. */
static TW_FN tw_json_ptr TW_N(tw_json_skip)(tw_json_cursor *cursor,
                                            tw_json_ptr p, tw_json_ptr end,
                                            tw_json_ptr lo, size_t room) {
  tw_json_cursor cur = *cursor, *c = &cur;
  uint64_t arrays[TW_JSON_MAX_DEPTH / 64 + 1]; /* bit set = array */
  size_t depth = 0;
  int is_array = 0; /* kind of the innermost open container */
  int esc;
  tw_json_value v;
value:
  p = TW_N(tw_json_ws)(c, p, end, lo);
  if (p == end)
    goto fail;
  if (*p == '"') {
    p = TW_N(tw_json_string)(c, p + 1, end, lo, &esc);
    if (!p)
      goto fail;
    p++;
    goto after;
  }
  if (*p == '{' || *p == '[') {
    if (depth == room)
      goto fail;
    is_array = *p == '[';
    uint64_t bit = 1ull << (depth & 63);
    if (is_array)
      arrays[depth >> 6] |= bit;
    else
      arrays[depth >> 6] &= ~bit;
    depth++;
    p = TW_N(tw_json_ws)(c, p + 1, end, lo);
    if (p == end)
      goto fail;
    if (*p == (is_array ? ']' : '}'))
      goto close;
    if (is_array)
      goto value;
    goto member;
  }
  p = tw_json_bare_scalar(p, end, &v);
  if (!p)
    goto fail;
after:
  if (depth == 0) {
    *cursor = cur;
    return p;
  }
  p = TW_N(tw_json_ws)(c, p, end, lo);
  if (p == end)
    goto fail;
  if (*p == ',') {
    p++;
    if (is_array)
      goto value;
    goto member;
  }
  if (*p != (is_array ? ']' : '}'))
    goto fail;
close:
  p++;
  depth--;
  if (depth)
    is_array = (int)((arrays[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1);
  goto after;
member:
  p = TW_N(tw_json_ws)(c, p, end, lo);
  if (p == end || *p != '"')
    goto fail;
  p = TW_N(tw_json_string)(c, p + 1, end, lo, &esc);
  if (!p)
    goto fail;
  p = TW_N(tw_json_ws)(c, p + 1, end, lo);
  if (p == end || *p != ':')
    goto fail;
  p++;
  goto value;
fail:
  *cursor = cur;
  return NULL;
}

/* End of the container at p ('{' or '['), matching brackets outside
 * strings without validating; NULL when it is not closed. Used to give
 * the span of a container that is reported before its contents. */
static TW_FN tw_json_ptr TW_N(tw_json_find_end)(tw_json_ptr p, tw_json_ptr end,
                                                tw_json_ptr lo) {
  tw_json_cursor cur = TW_JSON_CURSOR_INIT;
  size_t depth = 0;
  while (p < end) {
    unsigned char c = *p++;
    if (c == '"') {
      for (;;) {
        p = TW_N(tw_json_special)(&cur, p, end, lo);
        if (p == end)
          return NULL;
        if (*p == '"')
          break;
        p += (*p == '\\' && end - p >= 2) ? 2 : 1;
      }
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
/* The scan loop                                                       */
/* ------------------------------------------------------------------ */

/* Container at *pp with state `state` that no path continues into:
 * validate it with tw_json_skip, then report it if its state has ids. */
static TW_FN int TW_N(tw_json_container_leaf)(tw_json_scanner *sc,
                                              uint32_t state, tw_json_ptr *pp) {
  tw_json_ptr p = *pp;
  tw_json_ptr q = TW_N(tw_json_skip)(&sc->cur, p, sc->end, sc->lo,
                                     TW_JSON_MAX_DEPTH - sc->depth);
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
static TW_FN int TW_N(tw_json_container_open)(tw_json_scanner *sc,
                                              uint32_t state, tw_json_ptr p) {
  if (sc->depth == TW_JSON_MAX_DEPTH)
    return TW_ESYNTAX;
  if (tw_json_has_ids(sc, state)) {
    tw_json_ptr q = TW_N(tw_json_find_end)(p, sc->end, sc->lo);
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
static inline TW_FN int TW_N(tw_json_member)(tw_json_scanner *sc,
                                             tw_json_ptr *pp, uint32_t *state) {
  tw_json_ptr p = TW_N(tw_json_ws)(&sc->cur, *pp, sc->end, sc->lo);
  if (p == sc->end || *p != '"')
    return TW_ESYNTAX;
  int esc = 0;
  tw_json_ptr k = p + 1,
              q = TW_N(tw_json_string)(&sc->cur, k, sc->end, sc->lo, &esc);
  if (!q)
    return TW_ESYNTAX;
  p = TW_N(tw_json_ws)(&sc->cur, q + 1, sc->end, sc->lo);
  if (p == sc->end || *p != ':')
    return TW_ESYNTAX;
  *pp = p + 1;
  uint32_t fs = sc->stack[sc->depth - 1].state;
  *state = tw_json_key_next(sc, fs, k, (size_t)(q - k), esc);
  return TW_OK;
}

/* Scan the value at *pp (the root) with the start state. */
static TW_FN int TW_N(tw_json_walk)(tw_json_scanner *sc, uint32_t state,
                                    tw_json_ptr *pp) {
  tw_json_ptr p = *pp, end = sc->end, lo = sc->lo;
  tw_json_frame *f;
  tw_json_value v;
  int rc;
value:
  p = TW_N(tw_json_ws)(&sc->cur, p, end, lo);
  if (p == end)
    return TW_ESYNTAX;
  if (*p == '{' || *p == '[') {
    if (state == TW_JSON_DEAD || !sc->dfa->states[state].live) {
      if ((rc = TW_N(tw_json_container_leaf)(sc, state, &p)) != TW_OK)
        return rc;
      goto after;
    }
    if ((rc = TW_N(tw_json_container_open)(sc, state, p)) != TW_OK)
      return rc;
    f = &sc->stack[sc->depth - 1];
    p = TW_N(tw_json_ws)(&sc->cur, p + 1, end, lo);
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
  if (!(p = TW_N(tw_json_scalar)(&sc->cur, p, end, lo, &v)))
    return TW_ESYNTAX;
  if (tw_json_has_ids(sc, state) && (rc = tw_json_report(sc, state, &v)))
    return rc;
after:
  if (sc->depth == 0) {
    *pp = p;
    return TW_OK;
  }
  p = TW_N(tw_json_ws)(&sc->cur, p, end, lo);
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
  if ((rc = TW_N(tw_json_member)(sc, &p, &state)) != TW_OK)
    return rc;
  goto value;
}

/* tw_json_scan after the argument checks: lo/end delimit the document. */
static TW_FN int TW_N(tw_json_run)(const tw_json_plan *plan, tw_json_ptr lo,
                                   tw_json_ptr end, tw_json_visit_fn visit,
                                   void *ctx, tw_json_type *root_type) {
  tw_json_cursor edge = TW_JSON_CURSOR_INIT; /* whitespace around the root */
  tw_json_ptr p = TW_N(tw_json_ws)(&edge, lo, end, lo);
  if (p == end)
    return TW_ESYNTAX;
  tw_json_type type = tw_json_type_at(*p);
  int rc;
  if (plan && visit) {
    tw_json_scanner sc;
    tw_json_scanner_init(&sc, plan, lo, end, visit, ctx);
    rc = TW_N(tw_json_walk)(&sc, TW_JSON_START, &p);
  } else {
    tw_json_cursor cur = TW_JSON_CURSOR_INIT;
    p = TW_N(tw_json_skip)(&cur, p, end, lo, TW_JSON_MAX_DEPTH);
    rc = p ? TW_OK : TW_ESYNTAX;
  }
  if (rc == TW_OK && TW_N(tw_json_ws)(&edge, p, end, lo) != end)
    rc = TW_ESYNTAX;
  if (rc != TW_ESYNTAX && root_type)
    *root_type = type;
  return rc;
}

/* tw_json_scan_value after the argument checks: *lo is not whitespace. */
static TW_FN int TW_N(tw_json_run_value)(const tw_json_plan *plan,
                                         tw_json_ptr lo, tw_json_ptr end,
                                         tw_json_visit_fn visit, void *ctx,
                                         size_t *used, int *has_ws) {
  tw_json_scanner sc;
  tw_json_scanner_init(&sc, plan, lo, end, visit, ctx);
  tw_json_ptr p = lo;
  int rc = TW_N(tw_json_walk)(&sc, TW_JSON_START, &p);
  if (rc == TW_OK) {
    *used = (size_t)(p - lo);
    *has_ws = sc.cur.ws;
  }
  return rc;
}

#undef TW_N
#undef TW_CAT
#undef TW_CAT2
