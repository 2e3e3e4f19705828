/*
 * json.h — trailwatch's own on-demand JSON reader (internal).
 *
 * The reader never builds a document tree. A caller compiles the selector
 * paths it needs (e.g. $.userIdentity.type, $.resources[*].ARN) into a
 * tw_json_plan, a trie of paths; tw_json_scan then walks the document once,
 * validating it completely against RFC 8259, and reports each value whose
 * path is in the plan. Values are zero-copy views into the input.
 *
 * Used by the pattern evaluator (src/pattern/) for JSON filter patterns and,
 * later, by the one-pass multi-filter engine.
 */
#ifndef TW_JSON_H
#define TW_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "trailwatch.h"

/* Maximum nesting depth of arrays/objects; deeper documents are invalid. */
#define TW_JSON_MAX_DEPTH 512

typedef enum tw_json_type {
  TW_JSON_NULL = 0,
  TW_JSON_FALSE,
  TW_JSON_TRUE,
  TW_JSON_NUMBER,
  TW_JSON_STRING,
  TW_JSON_OBJECT,
  TW_JSON_ARRAY
} tw_json_type;

/* A view of one value inside the scanned document.
 *  STRING: ptr/len cover the bytes between the quotes, still escaped;
 *          has_escapes is 1 when they contain a backslash.
 *  NUMBER: ptr/len cover the number text as written (e.g. "-1.5e3").
 *  TRUE/FALSE/NULL: the literal text.
 *  OBJECT/ARRAY: ptr/len cover the whole value including brackets. */
typedef struct tw_json_value {
  tw_json_type type;
  int has_escapes;
  const char *ptr;
  size_t len;
} tw_json_value;

/* One step of a selector path. */
typedef enum tw_json_step_kind {
  TW_JSON_STEP_KEY = 0,   /* .name or ['name'] : object member named key */
  TW_JSON_STEP_INDEX,     /* [n]               : array element n (0-based) */
  TW_JSON_STEP_ANY_KEY,   /* .*                : every member of an object */
  TW_JSON_STEP_ANY_INDEX  /* [*]               : every element of an array */
} tw_json_step_kind;

typedef struct tw_json_step {
  tw_json_step_kind kind;
  const char *key;  /* KEY: the member name (UTF-8, unescaped), not NUL-terminated */
  size_t key_len;
  uint32_t index;   /* INDEX */
} tw_json_step;

typedef struct tw_json_plan tw_json_plan;

int tw_json_plan_new(tw_json_plan **out);
void tw_json_plan_free(tw_json_plan *plan);

/* Add a path (n >= 0 steps; 0 steps = the root value). Identical paths get
 * the same id; ids are dense, starting at 0. The plan copies the keys. */
int tw_json_plan_add(tw_json_plan *plan, const tw_json_step *steps, size_t n,
                     uint32_t *out_id);
size_t tw_json_plan_count(const tw_json_plan *plan);

/* Called for each value at a path of the plan, in document order. A value
 * may be reported under several ids (e.g. $.a[0] and $.a[*]). With
 * duplicate object keys every occurrence is reported. Return 0 to go on;
 * a non-zero return stops the scan and is returned by tw_json_scan. */
typedef int (*tw_json_visit_fn)(void *ctx, uint32_t id, const tw_json_value *v);

/* Scan doc[0..len): returns TW_OK when doc is exactly one valid JSON text
 * (surrounding whitespace allowed), TW_ESYNTAX when it is not (invalid
 * syntax, invalid UTF-8, bad escape, lone surrogate, trailing bytes, depth
 * over TW_JSON_MAX_DEPTH), or the visitor's non-zero return. *root_type
 * (may be NULL) receives the top-level type. Visits that happened before a
 * syntax error must be discarded by the caller. plan may be NULL (pure
 * validation). The function is reentrant: the plan is only read. */
int tw_json_scan(const tw_json_plan *plan, const char *doc, size_t len,
                 tw_json_visit_fn visit, void *ctx, tw_json_type *root_type);

/* Scan the one value at the start of doc[0..len) (doc[0] not whitespace)
 * with the same validation and reports as tw_json_scan, stopping right
 * after it: what follows is not read. On TW_OK, *used is the value's
 * length and *has_ws is 1 when it holds whitespace outside strings.
 * TW_ESYNTAX when the value is invalid or not complete in doc, TW_EINVAL
 * without a plan and visitor, or the visitor's non-zero return. */
int tw_json_scan_value(const tw_json_plan *plan, const char *doc, size_t len,
                       tw_json_visit_fn visit, void *ctx, size_t *used,
                       int *has_ws);

/* Decode a STRING value's escapes into UTF-8. Writes at most cap bytes to
 * buf and sets *out_len to the decoded length (which may exceed cap; then
 * call again with a larger buffer). The decoded length never exceeds
 * v->len. Returns TW_OK or TW_ESYNTAX. */
int tw_json_string_decode(const tw_json_value *v, char *buf, size_t cap,
                          size_t *out_len);

/* Parse a NUMBER value (or any RFC 8259 number text) as an IEEE double. */
int tw_json_number_parse(const char *text, size_t len, double *out);

#endif /* TW_JSON_H */
