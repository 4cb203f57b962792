#pragma once
// Opening an engine in tests of the public API: quiet log, zero initial rebalance delay (so
// group tests do not wait 3 s per join), and a REQUIRE that prints why an open failed.

#include <doctest/doctest.h>

#include <memory>
#include <string>

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

}  // namespace lkstream::test
