/*
 * outbox.c — PLACEHOLDER while the outbox is being built: starts nothing.
 */
#include <stdlib.h>

#include "live/live.h"

struct tw_outbox {
  int unused;
};

int tw_outbox_start(tw_api *api, const tw_outbox_opts *o, tw_outbox **out,
                    tw_error *err) {
  (void)api;
  (void)o;
  (void)err;
  *out = calloc(1, sizeof **out);
  return *out ? TW_OK : TW_ENOMEM;
}

void tw_outbox_stop(tw_outbox *ob) { free(ob); }
