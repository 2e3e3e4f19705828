/*
 * follow.c — PLACEHOLDER while the live sources are being built.
 */
#include <stdlib.h>

#include "live/live.h"

struct tw_follow {
  int unused;
};

int tw_follow_start(tw_api *api, const tw_follow_opts *o, tw_follow **out,
                    tw_error *err) {
  (void)api;
  if (o->npaths)
    return tw_error_set(err, TW_EINVAL, 0, "--follow is not implemented yet");
  *out = calloc(1, sizeof **out);
  return *out ? TW_OK : TW_ENOMEM;
}

void tw_follow_stop(tw_follow *f) { free(f); }
