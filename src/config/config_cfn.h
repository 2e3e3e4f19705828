/*
 * config_cfn.h — the CloudFormation template reader, shared by
 * config_cfn.c (template sections, the resources trailwatch turns into
 * filters, alarms and targets) and config_cfn_fn.c (the intrinsic
 * functions Ref, Fn::Sub, Fn::GetAtt and Fn::Join, template parameters and
 * pseudo parameters, what Ref and Fn::GetAtt give for each resource type).
 * Internal to src/config/.
 */
#ifndef TW_CONFIG_CFN_H
#define TW_CONFIG_CFN_H

#include "config/config_internal.h"

/* Longest string a resolution may build (bounds Fn::Join/Fn::Sub growth). */
#define TW_CFN_MAX_STRING (1u << 20)

typedef struct tw_cfn_res {
  const char *id;     /* logical id */
  const json_t *node; /* the resource mapping */
  const char *type;   /* its Type */
  tw_cfg_pos pos;     /* where the resource mapping is */
  int state;          /* physical name: 0 not yet, 1 being resolved, 2 done */
  char *name;         /* physical name (name property, else the logical id) */
} tw_cfn_res;

typedef struct tw_cfn {
  tw_cfg_load *L;
  const json_t *resources;  /* Resources mapping */
  const json_t *parameters; /* Parameters mapping, or NULL */
  tw_cfn_res *res;
  size_t nres;
  json_t *index; /* logical id -> index into res */
  size_t depth; /* names being resolved, one inside the other */
  int in_fn;    /* resolving a function's arguments: the path stays at the property */
} tw_cfn;

/* The resource with logical id, or NULL. */
tw_cfn_res *tw_cfn_find(const tw_cfn *t, const char *id);

/* Resolve the intrinsic functions in v (written at pos; the context's path
 * names it). *out is a new reference, NULL when v is Ref AWS::NoValue.
 * Parts without functions are shared with v; new containers are
 * registered in the position map with the originals' positions. */
int tw_cfn_resolve(tw_cfn *t, const json_t *v, tw_cfg_pos pos, json_t **out);

/* What Ref gives for a resource (a string, malloc'd). */
int tw_cfn_ref_resource(tw_cfn *t, tw_cfn_res *r, tw_cfg_pos pos, char **out);

/* A pseudo parameter's value (AWS::Region, ...): 1 and *out set, 0 when
 * name is not one. *out NULL for AWS::NoValue. */
int tw_cfn_pseudo(const tw_cfn *t, const char *name, json_t **out);

/* A new container like v whose children are kids[i] (references taken;
 * NULL children are dropped), positions copied from v. */
int tw_cfn_rebuild(tw_cfg_ctx *c, const json_t *v, json_t **kids, json_t **out);

#endif /* TW_CONFIG_CFN_H */
