/*
 * config_yaml.c — the YAML reader of the configuration loader: libyaml's
 * event (parser) API drives an explicit stack that builds jansson values
 * and records every child's line/column in a tw_cfg_posmap.
 *
 * Rules (docs/config.md): exactly one document; mapping keys are scalars
 * and unique; the YAML 1.1 merge key "<<" is supported (explicit keys win);
 * aliases share the anchored value (jansson reference), and the size of the
 * document counting every expansion is bounded by TW_CFG_MAX_NODES, its
 * nesting by TW_CFG_MAX_DEPTH, so "billion laughs" inputs fail fast. Scalar
 * resolution is in config_scalar.c. CloudFormation short-form tags (!Ref X,
 * !Sub ..., !GetAtt A.B, !Join [...], and the other !Fn tags) become their
 * long form ({"Ref": "X"}, {"Fn::Sub": ...}); the template reader decides
 * which functions it supports, and a plain configuration rejects them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config/config_internal.h"
#include "util/util.h"

typedef struct tw_yframe {
  json_t *node; /* the container being filled */
  int is_map;
  char *anchor;
  tw_cfg_pos pos; /* where the container starts */
  size_t size;   /* values in the subtree, aliases expanded */
  size_t height; /* nesting levels of the subtree */
  /* mappings: the pending key */
  int have_key, key_is_merge, seen_merge;
  char *key;
  tw_cfg_pos key_pos;
  json_t *merges; /* list of mappings named by "<<", or NULL */
  const char *wrap; /* CloudFormation function the container is the argument of */
} tw_yframe;

typedef struct tw_yanchor {
  char *name;
  json_t *node;
  size_t size, height;
} tw_yanchor;

typedef struct tw_yreader {
  const char *name;
  tw_error *err;
  tw_cfg_posmap *pm;
  tw_yframe *stack;
  size_t depth, cap;
  tw_yanchor *anchors;
  size_t nanchors, capanchors;
  size_t total; /* values so far, aliases expanded */
  json_t *root;
  int ndocs;
} tw_yreader;

static tw_cfg_pos tw_yaml_pos(yaml_mark_t m) {
  tw_cfg_pos p = {(unsigned long)m.line + 1, (unsigned long)m.column + 1};
  return p;
}

static int tw_yaml_fail(tw_yreader *r, tw_cfg_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The long-form key of a CloudFormation short-form tag, or NULL. */
static const char *tw_yaml_cfn_function(const char *tag) {
  static const char *const fns[] = {
      "Sub",    "GetAtt", "Join",        "Select", "Split",     "FindInMap", "If",
      "Equals", "And",    "Or",          "Not",    "Base64",    "GetAZs",    "ImportValue",
      "Cidr",   "Length", "ToJsonString", "Transform", NULL};
  static const char *const long_fns[] = {
      "Fn::Sub",    "Fn::GetAtt", "Fn::Join",        "Fn::Select",   "Fn::Split",
      "Fn::FindInMap", "Fn::If",  "Fn::Equals",      "Fn::And",      "Fn::Or",
      "Fn::Not",    "Fn::Base64", "Fn::GetAZs",      "Fn::ImportValue", "Fn::Cidr",
      "Fn::Length", "Fn::ToJsonString", "Fn::Transform", NULL};
  if (!tag || tag[0] != '!' || tag[1] == '!')
    return NULL;
  if (!strcmp(tag, "!Ref"))
    return "Ref";
  if (!strcmp(tag, "!Condition"))
    return "Condition";
  for (size_t i = 0; fns[i]; i++)
    if (!strcmp(tag + 1, fns[i]))
      return long_fns[i];
  return NULL;
}

/* {fn: v} for a tagged value (reference to v taken); NULL on failure. */
static json_t *tw_yaml_wrap(tw_yreader *r, const char *fn, json_t *v, tw_cfg_pos pos) {
  json_t *o = json_object();
  if (!o || tw_cfg_posmap_add(r->pm, o, fn, pos, pos)) {
    json_decref(o);
    json_decref(v);
    return NULL;
  }
  if (json_object_set_new(o, fn, v)) { /* v released by jansson */
    json_decref(o);
    return NULL;
  }
  return o;
}

static int tw_yaml_fail(tw_yreader *r, tw_cfg_pos pos, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return tw_error_set(r->err, TW_EINVAL, 0, "%s:%lu:%lu: %s", r->name, pos.line, pos.col, msg);
}

static int tw_yaml_nomem(tw_yreader *r) {
  return tw_error_set(r->err, TW_ENOMEM, 0, "%s: out of memory", r->name);
}

static void tw_yframe_clear(tw_yframe *f) {
  json_decref(f->node);
  json_decref(f->merges);
  free(f->anchor);
  free(f->key);
}

static void tw_yreader_clear(tw_yreader *r) {
  for (size_t i = 0; i < r->depth; i++)
    tw_yframe_clear(&r->stack[i]);
  free(r->stack);
  for (size_t i = 0; i < r->nanchors; i++) {
    free(r->anchors[i].name);
    json_decref(r->anchors[i].node);
  }
  free(r->anchors);
  json_decref(r->root);
}

/* Count n more values towards the document bound. */
static int tw_yaml_count(tw_yreader *r, size_t n, tw_cfg_pos pos) {
  if (n > TW_CFG_MAX_NODES - r->total)
    return tw_yaml_fail(r, pos,
                        "the document expands to more than %u values (alias expansion bound)",
                        TW_CFG_MAX_NODES);
  r->total += n;
  return TW_OK;
}

static int tw_yaml_set_anchor(tw_yreader *r, const char *name, json_t *node, size_t size,
                              size_t height) {
  if (r->nanchors == r->capanchors) {
    size_t ncap = r->capanchors ? r->capanchors * 2 : 8;
    tw_yanchor *na = realloc(r->anchors, ncap * sizeof *na);
    if (!na)
      return tw_yaml_nomem(r);
    r->anchors = na;
    r->capanchors = ncap;
  }
  char *copy = strdup(name);
  if (!copy)
    return tw_yaml_nomem(r);
  tw_yanchor *a = &r->anchors[r->nanchors++];
  a->name = copy;
  a->node = json_incref(node);
  a->size = size;
  a->height = height;
  return TW_OK;
}

/* The latest definition of an anchor (YAML allows redefinition). */
static const tw_yanchor *tw_yaml_anchor(const tw_yreader *r, const char *name) {
  for (size_t i = r->nanchors; i-- > 0;)
    if (!strcmp(r->anchors[i].name, name))
      return &r->anchors[i];
  return NULL;
}

/* A "<<" value: a mapping or a list of mappings, remembered for the end of
 * the mapping. Takes the reference to v. */
static int tw_yaml_add_merge(tw_yreader *r, tw_yframe *f, json_t *v, tw_cfg_pos pos) {
  int ok = json_is_object(v);
  size_t i;
  json_t *item;
  if (json_is_array(v)) {
    ok = 1;
    json_array_foreach(v, i, item) ok = ok && json_is_object(item);
  }
  if (!ok) {
    json_decref(v);
    return tw_yaml_fail(r, pos, "the merge key '<<' needs a mapping or a list of mappings");
  }
  if (!f->merges && !(f->merges = json_array())) {
    json_decref(v);
    return tw_yaml_nomem(r);
  }
  int rc = json_is_array(v) ? json_array_extend(f->merges, v) : json_array_append(f->merges, v);
  json_decref(v);
  return rc ? tw_yaml_nomem(r) : TW_OK;
}

/* Add a finished value (reference taken) to the open container, or make it
 * the root. size/height describe its subtree. */
static int tw_yaml_add(tw_yreader *r, json_t *v, tw_cfg_pos pos, size_t size, size_t height) {
  if (!r->depth) {
    r->root = v;
    tw_cfg_posmap_set_root(r->pm, pos);
    return TW_OK;
  }
  tw_yframe *f = &r->stack[r->depth - 1];
  f->size += size;
  if (height + 1 > f->height)
    f->height = height + 1;
  if (!f->is_map) {
    int rc = tw_cfg_posmap_add(r->pm, f->node, NULL, pos, pos);
    if (rc || json_array_append_new(f->node, v)) {
      if (rc)
        json_decref(v);
      return tw_yaml_nomem(r);
    }
    return TW_OK;
  }
  f->have_key = 0;
  if (f->key_is_merge)
    return tw_yaml_add_merge(r, f, v, pos);
  int rc = tw_cfg_posmap_add(r->pm, f->node, f->key, f->key_pos, pos);
  if (rc || json_object_set_new_nocheck(f->node, f->key, v)) {
    if (rc)
      json_decref(v);
    return tw_yaml_nomem(r);
  }
  free(f->key);
  f->key = NULL;
  return TW_OK;
}

/* A scalar in key position of the open mapping. */
static int tw_yaml_key(tw_yreader *r, tw_yframe *f, const yaml_event_t *e) {
  const char *text = (const char *)e->data.scalar.value;
  size_t len = e->data.scalar.length;
  tw_cfg_pos pos = tw_yaml_pos(e->start_mark);
  if (memchr(text, '\0', len))
    return tw_yaml_fail(r, pos, "mapping keys must not contain NUL characters");
  if (!tw_cfg_utf8_valid((const unsigned char *)text, len))
    return tw_yaml_fail(r, pos, "invalid UTF-8 in a mapping key");
  int merge = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !e->data.scalar.tag &&
              !strcmp(text, "<<");
  if (merge ? f->seen_merge : json_object_get(f->node, text) != NULL) {
    tw_cfg_pos first = tw_cfg_posmap_get(r->pm, f->node, text, 0, 1);
    if (merge || !first.line)
      return tw_yaml_fail(r, pos, "duplicate key '%s'", text);
    return tw_yaml_fail(r, pos, "duplicate key '%s' (first at line %lu)", text, first.line);
  }
  if (!merge && !(f->key = strdup(text)))
    return tw_yaml_nomem(r);
  f->seen_merge |= merge;
  f->key_is_merge = merge;
  f->have_key = 1;
  f->key_pos = pos;
  return TW_OK;
}

static int tw_yaml_scalar(tw_yreader *r, const yaml_event_t *e) {
  tw_cfg_pos pos = tw_yaml_pos(e->start_mark);
  tw_yframe *f = r->depth ? &r->stack[r->depth - 1] : NULL;
  if (f && f->is_map && !f->have_key) {
    if (e->data.scalar.anchor)
      return tw_yaml_fail(r, pos, "anchors on mapping keys are not supported");
    return tw_yaml_key(r, f, e);
  }
  const char *tag = (const char *)e->data.scalar.tag;
  const char *fn = tw_yaml_cfn_function(tag);
  int rc = tw_yaml_count(r, fn ? 2 : 1, pos);
  if (rc)
    return rc;
  const char *problem = NULL;
  json_t *v = NULL;
  rc = tw_cfg_yaml_scalar((const char *)e->data.scalar.value, e->data.scalar.length,
                          e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE, fn ? "!" : tag, &v,
                          &problem);
  if (rc == TW_ENOMEM)
    return tw_yaml_nomem(r);
  if (rc)
    return tw_yaml_fail(r, pos, "%s", problem);
  if (fn) {
    tw_cfg_posmap_note_tag(r->pm, pos, tag);
    if (!(v = tw_yaml_wrap(r, fn, v, pos)))
      return tw_yaml_nomem(r);
  }
  if (e->data.scalar.anchor &&
      tw_yaml_set_anchor(r, (const char *)e->data.scalar.anchor, v, 1, 1)) {
    json_decref(v);
    return TW_ENOMEM;
  }
  return tw_yaml_add(r, v, pos, fn ? 2 : 1, fn ? 2 : 1);
}

static int tw_yaml_alias(tw_yreader *r, const yaml_event_t *e) {
  tw_cfg_pos pos = tw_yaml_pos(e->start_mark);
  const char *name = (const char *)e->data.alias.anchor;
  tw_yframe *f = r->depth ? &r->stack[r->depth - 1] : NULL;
  if (f && f->is_map && !f->have_key)
    return tw_yaml_fail(r, pos, "aliases cannot be mapping keys");
  const tw_yanchor *a = tw_yaml_anchor(r, name);
  if (!a)
    return tw_yaml_fail(r, pos, "unknown anchor '%s' (an alias must follow its anchor's "
                                "complete value)", name);
  if (r->depth + a->height > TW_CFG_MAX_DEPTH)
    return tw_yaml_fail(r, pos, "nesting deeper than %u levels", TW_CFG_MAX_DEPTH);
  int rc = tw_yaml_count(r, a->size, pos);
  if (rc)
    return rc;
  return tw_yaml_add(r, json_incref(a->node), pos, a->size, a->height);
}

static int tw_yaml_container_tag_ok(const char *tag, int is_map) {
  if (!tag || !strcmp(tag, "!"))
    return 1;
  return !strcmp(tag, is_map ? "tag:yaml.org,2002:map" : "tag:yaml.org,2002:seq");
}

static int tw_yaml_start(tw_yreader *r, const yaml_event_t *e, int is_map) {
  tw_cfg_pos pos = tw_yaml_pos(e->start_mark);
  tw_yframe *top = r->depth ? &r->stack[r->depth - 1] : NULL;
  const char *tag = (const char *)(is_map ? e->data.mapping_start.tag
                                          : e->data.sequence_start.tag);
  const char *anchor = (const char *)(is_map ? e->data.mapping_start.anchor
                                             : e->data.sequence_start.anchor);
  if (top && top->is_map && !top->have_key)
    return tw_yaml_fail(r, pos, "mapping keys must be scalars");
  const char *fn = tw_yaml_cfn_function(tag);
  if (!fn && !tw_yaml_container_tag_ok(tag, is_map))
    return tw_yaml_fail(r, pos, "unsupported tag '%s'", tag);
  if (fn)
    tw_cfg_posmap_note_tag(r->pm, pos, tag);
  if (r->depth + 1 > TW_CFG_MAX_DEPTH)
    return tw_yaml_fail(r, pos, "nesting deeper than %u levels", TW_CFG_MAX_DEPTH);
  int rc = tw_yaml_count(r, fn ? 2 : 1, pos);
  if (rc)
    return rc;
  if (r->depth == r->cap) {
    size_t ncap = r->cap ? r->cap * 2 : 16;
    tw_yframe *ns = realloc(r->stack, ncap * sizeof *ns);
    if (!ns)
      return tw_yaml_nomem(r);
    r->stack = ns;
    r->cap = ncap;
  }
  tw_yframe *f = &r->stack[r->depth];
  memset(f, 0, sizeof *f);
  f->is_map = is_map;
  f->wrap = fn;
  f->size = f->height = fn ? 2 : 1;
  f->node = is_map ? json_object() : json_array();
  if (!f->node || (anchor && !(f->anchor = strdup(anchor)))) {
    tw_yframe_clear(f);
    return tw_yaml_nomem(r);
  }
  f->pos = pos; /* recorded by the parent when the container ends */
  r->depth++;
  return TW_OK;
}

/* Apply "<<" merges: members of the named mappings not set explicitly
 * (earlier sources win over later ones). */
static int tw_yaml_apply_merges(tw_yreader *r, tw_yframe *f) {
  size_t i;
  json_t *src;
  json_array_foreach(f->merges, i, src) {
    const char *key;
    json_t *val;
    json_object_foreach(src, key, val) {
      if (json_object_get(f->node, key))
        continue;
      tw_cfg_pos kp = tw_cfg_posmap_get(r->pm, src, key, 0, 1);
      tw_cfg_pos vp = tw_cfg_posmap_get(r->pm, src, key, 0, 0);
      if (tw_cfg_posmap_add(r->pm, f->node, key, kp, vp) ||
          json_object_set_nocheck(f->node, key, val))
        return tw_yaml_nomem(r);
    }
  }
  return TW_OK;
}

static int tw_yaml_end(tw_yreader *r) {
  tw_yframe f = r->stack[--r->depth];
  tw_cfg_pos pos = f.pos;
  int rc = f.merges ? tw_yaml_apply_merges(r, &f) : TW_OK;
  if (!rc && f.wrap) {
    json_t *w = tw_yaml_wrap(r, f.wrap, f.node, pos);
    f.node = w;
    if (!w)
      rc = tw_yaml_nomem(r);
  }
  if (!rc && f.anchor)
    rc = tw_yaml_set_anchor(r, f.anchor, f.node, f.size, f.height);
  json_t *node = f.node;
  f.node = NULL;
  tw_yframe_clear(&f);
  if (rc) {
    json_decref(node);
    return rc;
  }
  return tw_yaml_add(r, node, pos, f.size, f.height);
}

static int tw_yaml_event(tw_yreader *r, const yaml_event_t *e) {
  switch (e->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++r->ndocs > 1)
      return tw_yaml_fail(r, tw_yaml_pos(e->start_mark),
                          "a second YAML document: a configuration file holds one document "
                          "(load several files instead)");
    return TW_OK;
  case YAML_SCALAR_EVENT:
    return tw_yaml_scalar(r, e);
  case YAML_ALIAS_EVENT:
    return tw_yaml_alias(r, e);
  case YAML_MAPPING_START_EVENT:
    return tw_yaml_start(r, e, 1);
  case YAML_SEQUENCE_START_EVENT:
    return tw_yaml_start(r, e, 0);
  case YAML_MAPPING_END_EVENT:
  case YAML_SEQUENCE_END_EVENT:
    return tw_yaml_end(r);
  default:
    return TW_OK;
  }
}

static int tw_yaml_syntax_error(tw_yreader *r, const yaml_parser_t *p) {
  if (p->error == YAML_MEMORY_ERROR)
    return tw_yaml_nomem(r);
  tw_cfg_pos pos = tw_yaml_pos(p->problem_mark);
  if (p->error == YAML_READER_ERROR)
    return tw_error_set(r->err, TW_EINVAL, 0, "%s: invalid YAML: %s at byte %zu", r->name,
                        p->problem ? p->problem : "unreadable input", p->problem_offset);
  if (p->context)
    return tw_yaml_fail(r, pos, "invalid YAML: %s %s", p->problem ? p->problem : "error",
                        p->context);
  return tw_yaml_fail(r, pos, "invalid YAML: %s", p->problem ? p->problem : "error");
}

int tw_cfg_yaml_parse(const char *name, const char *data, size_t len, tw_cfg_posmap *pm,
                      json_t **root, tw_error *err) {
  tw_yreader r = {.name = name, .err = err, .pm = pm};
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p))
    return tw_yaml_nomem(&r);
  yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
  int rc = TW_OK, done = 0;
  while (!rc && !done) {
    yaml_event_t e;
    if (!yaml_parser_parse(&p, &e)) {
      rc = tw_yaml_syntax_error(&r, &p);
      break;
    }
    done = e.type == YAML_STREAM_END_EVENT;
    rc = tw_yaml_event(&r, &e);
    yaml_event_delete(&e);
  }
  yaml_parser_delete(&p);
  if (!rc) {
    *root = r.root; /* NULL for an empty stream */
    r.root = NULL;
  }
  tw_yreader_clear(&r);
  return rc;
}
