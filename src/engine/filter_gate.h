/*
 * filter_gate.h — value gates of a filter set's JSON filters (internal to
 * src/engine). See filter_gate.c.
 */
#ifndef TW_FILTER_GATE_H
#define TW_FILTER_GATE_H

#include <stddef.h>
#include <stdint.h>

#include "pattern/pattern_internal.h"

typedef struct tw_gate tw_gate;

/* Build the gates of n filters. ids[i] maps pattern i's selectors to ids of
 * the shared plan (NULL for a filter that is not a JSON pattern: never
 * gated). */
int tw_gate_new(const tw_pattern *const *patterns, const uint32_t *const *ids, size_t n,
                tw_gate **out);
void tw_gate_free(tw_gate *g);

/* How many filters have a gate. */
size_t tw_gate_count(const tw_gate *g);

/* From the values collected in m (tw_match_json_begin/add over the shared
 * plan), set open[i] to 1 for every filter that may match — it has no gate,
 * or its gate holds — and to 0 for the others, which cannot match. */
int tw_gate_open(const tw_gate *g, tw_match *m, unsigned char *open);

#endif
