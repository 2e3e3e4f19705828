// simdjson_count.cpp — benchmark peer: counts the events of an NDJSON file
// matching each of the 15 CIS filters, parsing every line with simdjson's
// DOM API (one reused parser) and evaluating hand-written predicates
// (cis.h). Prints "name count" per filter. The reference trailwatch's scan
// counts are cross-checked against (bench/run.sh).
// Usage: simdjson_count FILE.ndjson   (- for standard input)
#include <cinttypes>
#include <cstdio>

#include "simdjson.h"

extern "C" {
#include "cis.h"
#include "lines.h"
}

static_assert(PEER_PADDING >= simdjson::SIMDJSON_PADDING, "line reader padding too small");

namespace {

struct state {
  simdjson::dom::parser parser;
  uint64_t counts[PEER_NFILTERS] = {};
  uint64_t events = 0, invalid = 0;
};

peer_field classify(simdjson::dom::element e) {
  peer_field f = {PK_OTHER, nullptr, 0};
  switch (e.type()) {
  case simdjson::dom::element_type::STRING: {
    std::string_view sv = e.get_string().value_unsafe();
    f.kind = PK_STRING;
    f.s = sv.data();
    f.n = sv.size();
    break;
  }
  case simdjson::dom::element_type::INT64:
  case simdjson::dom::element_type::UINT64:
  case simdjson::dom::element_type::DOUBLE:
    f.kind = PK_NUMBER;
    break;
  default:
    break;
  }
  return f;
}

peer_field lookup(simdjson::dom::object root, const char *k1, const char *k2) {
  peer_field absent = {PK_ABSENT, nullptr, 0};
  simdjson::dom::element e;
  if (root.at_key(k1).get(e))
    return absent;
  if (k2) {
    simdjson::dom::object o;
    if (e.get(o) || o.at_key(k2).get(e))
      return absent;
  }
  return classify(e);
}

void on_line(const char *line, size_t len, void *ctx) {
  state *st = static_cast<state *>(ctx);
  st->events++;
  simdjson::dom::element doc;
  simdjson::dom::object root;
  if (st->parser.parse(line, len, false).get(doc) || doc.get(root)) {
    st->invalid++; // D14: not a JSON object, never matches
    return;
  }
  peer_field f[F_COUNT];
  for (int i = 0; i < F_COUNT; i++)
    f[i] = lookup(root, peer_fields[i][0], peer_fields[i][1]);
  peer_cis_eval(f, st->counts);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: simdjson_count FILE.ndjson\n");
    return 2;
  }
  auto *st = new state();
  if (peer_for_each_line(argv[1], on_line, st))
    return 1;
  for (int i = 0; i < PEER_NFILTERS; i++)
    std::printf("%s %" PRIu64 "\n", peer_filter_names[i], st->counts[i]);
  std::fprintf(stderr, "simdjson_count: %" PRIu64 " events, %" PRIu64 " not JSON objects\n",
               st->events, st->invalid);
  delete st;
  return 0;
}
