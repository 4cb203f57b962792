#pragma once
// Opening an engine in tests of the public API: quiet log, zero initial rebalance delay (so
// group tests do not wait 3 s per join), and a REQUIRE that prints why an open failed.

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"

namespace lkstream::test {

inline std::unique_ptr<engine> open_engine(engine_options o) {
  o.log = [](std::string_view) {};
  auto e = engine::open(std::move(o));
  REQUIRE_MESSAGE(e, (e ? "" : e.err().to_string()));
  return std::move(*e);
}

inline std::unique_ptr<engine> open_engine(const std::string& dir) {
  engine_options o;
  o.data_dir = dir;
  auto cfg = config::defaults();
  cfg.broker.data_dir = dir;
  cfg.broker.group_initial_rebalance_delay_ms = 0;
  o.config = cfg;
  return open_engine(std::move(o));
}

/// A group member for tests: reads from the earliest offset, commits only when told, and
/// notices a dead peer within a few seconds.
inline consumer_options group_member(const std::string& group, const std::string& client = {}) {
  consumer_options o;
  o.group_id = group;
  if (!client.empty()) o.client_id = client;
  o.auto_offset_reset = offset_reset::earliest;
  o.enable_auto_commit = false;
  o.heartbeat_interval_ms = 50;
  o.session_timeout_ms = 6000;
  return o;
}

}  // namespace lkstream::test
