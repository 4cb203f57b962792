// Trading: ticks (symbol, price, size, event time) -> 1-second VWAP per symbol -> topic
// "vwap.1s". The program produces random ticks, runs the pipeline to the end of its input and
// checks every window against a direct computation. Each tick also updates the compacted topic
// "last_price" (key: symbol, value: price), read back as a table (lkstream/table.hpp): the
// last price per symbol, then live updates.   trading_vwap DATA_DIR [TICKS]
#include <cmath>
#include <iostream>
#include <map>
#include <random>

#include "lkstream/pipeline.hpp"
#include "lkstream/producer.hpp"
#include "lkstream/table.hpp"

using namespace std::chrono_literals;

struct tick {
  std::string symbol;
  double price = 0;
  int64_t size = 0;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(tick, symbol, price, size)
};

struct vwap {  // sum(price * size) / sum(size) over the window
  struct acc {
    double notional = 0;
    double volume = 0;
  };
  acc init() const { return {}; }
  void add(acc& a, const tick& t) const {
    a.notional += t.price * static_cast<double>(t.size);
    a.volume += static_cast<double>(t.size);
  }
  double result(const acc& a) const { return a.notional / a.volume; }
};

int main(int argc, char** argv) {
  if (argc < 2) return std::cerr << "usage: trading_vwap DATA_DIR [TICKS]\n", 2;
  const int n = argc > 2 ? std::atoi(argv[2]) : 20000;
  auto rt = lkstream::runtime::open({.engine = {.data_dir = argv[1]}});
  if (!rt) return std::cerr << rt.err().to_string() << "\n", 1;
  auto& eng = (*rt)->get_engine();

  // Input, and the expected VWAPs computed directly: (symbol, second) -> (notional, volume).
  std::map<std::pair<std::string, int64_t>, std::pair<double, double>> direct;
  std::map<std::string, double> price;  // the last price per symbol
  auto prod = eng.make_producer();
  {
    (void)eng.create_topic("ticks", 4);
    // The last price per symbol: a compacted topic keeps the latest record per key.
    auto compacted = eng.configuration().topic_defaults;
    compacted.partitions = 2;
    compacted.log.cleanup = lkstream::storage::cleanup_policy::compact;
    compacted.log.segment_bytes = 64 << 10;
    (void)eng.create_topic("last_price", compacted);
    std::mt19937 rng(42);
    const std::string symbols[] = {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN"};
    for (int i = 0; i < n; ++i) {
      tick t{symbols[rng() % 5], 0, 1 + static_cast<int64_t>(rng() % 500)};
      auto& p = price.try_emplace(t.symbol, 100.0).first->second;
      t.price = p = std::max(1.0, p + (static_cast<double>(rng() % 201) - 100) / 100);
      const int64_t ts = 1'700'000'000'000 + i * 3;  // a tick every 3 ms of event time
      auto& d = direct[{t.symbol, ts / 1000 * 1000}];
      d.first += t.price * static_cast<double>(t.size);
      d.second += static_cast<double>(t.size);
      auto value = nlohmann::json(t).dump();
      if (!prod->send({.topic = "ticks",
                       .key = lkstream::as_bytes(t.symbol),
                       .value = lkstream::as_bytes(value),
                       .timestamp = ts}))
        return std::cerr << "send failed\n", 1;
      auto px = std::to_string(t.price);
      if (!prod->send({.topic = "last_price",
                       .key = lkstream::as_bytes(t.symbol),
                       .value = lkstream::as_bytes(px)}))
        return std::cerr << "send failed\n", 1;
    }
    if (!prod->flush()) return std::cerr << "flush failed\n", 1;
  }

  // The last price per symbol as a table: after a cleaning, 5 keys remain of n records.
  if (auto cleaned = eng.run_cleaning(); !cleaned)
    return std::cerr << cleaned.err().to_string() << "\n", 1;
  auto last = lkstream::table::open(eng, {.topic = "last_price"});
  if (!last) return std::cerr << last.err().to_string() << "\n", 1;
  size_t stale = 0;
  for (auto& [symbol, e] : (*last)->snapshot())
    if (e.value != std::to_string(price[symbol])) ++stale;
  std::cout << "trading_vwap: last_price table: " << (*last)->size() << " symbols";
  for (auto& [symbol, e] : (*last)->snapshot()) std::cout << " " << symbol << "=" << e.value;
  std::cout << "\n";
  if ((*last)->size() != price.size() || stale != 0)
    return std::cerr << "last_price table differs from the last ticks\n", 1;
  // A live update after the snapshot arrives through poll().
  if (!prod->send({.topic = "last_price", .key = lkstream::as_bytes(std::string("NVDA")),
                   .value = lkstream::as_bytes(std::string("999.5"))}) ||
      !prod->flush())
    return std::cerr << "send failed\n", 1;
  bool updated = false;
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       !updated && std::chrono::steady_clock::now() < deadline;) {
    auto ups = (*last)->poll(100ms);
    if (!ups) return std::cerr << ups.err().to_string() << "\n", 1;
    for (auto& u : *ups) updated |= u.key == "NVDA" && u.value == "999.5";
  }
  if (!updated || (*last)->get("NVDA")->value != "999.5")
    return std::cerr << "the NVDA update did not arrive\n", 1;
  last->reset();

  // The pipeline, as in design.md section 8.
  (*rt)
      ->pipeline("vwap", {.stop_at_end = true})
      .from<tick>("ticks", lkstream::json_serde<tick>())
      .key_by([](const tick& t) { return t.symbol; })
      .window(lkstream::tumbling(1s))
      .aggregate(vwap{})
      .to("vwap.1s");
  if (auto st = (*rt)->run(); !st) return std::cerr << st.err().to_string() << "\n", 1;

  // Read "vwap.1s" back and compare.
  auto cons = eng.make_consumer(
      {.group_id = "vwap-check", .auto_offset_reset = lkstream::offset_reset::earliest});
  if (!cons || !(*cons)->subscribe({"vwap.1s"})) return std::cerr << "consumer failed\n", 1;
  size_t got = 0, bad = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       got < direct.size() && std::chrono::steady_clock::now() < deadline;) {
    auto rs = (*cons)->poll(100ms);
    if (!rs) return std::cerr << rs.err().to_string() << "\n", 1;
    for (auto& r : *rs) {
      auto w = nlohmann::json::parse(lkstream::as_string_view(*r.value))
                   .get<lkstream::window_result<double>>();
      auto it = direct.find({w.key, w.start});
      const double want = it == direct.end() ? NAN : it->second.first / it->second.second;
      if (!(std::abs(w.value - want) <= 1e-9 * want) || w.end != w.start + 1000) {
        if (++bad <= 5)
          std::cerr << "mismatch " << w.key << "@" << w.start << ": " << w.value << " != " << want
                    << "\n";
      }
      ++got;
    }
  }
  std::cout << "trading_vwap: " << n << " ticks -> " << got << " one-second VWAPs (expected "
            << direct.size() << "), " << bad << " mismatches\n";
  return got == direct.size() && bad == 0 ? 0 : 1;
}
