// IoT gateway: sensor readings -> malformed ones to a dead-letter topic -> per-device
// 10-second min/max/mean -> "iot.stats", and an alert on "iot.alerts" for every window whose
// maximum crossed the threshold. Checks the results against a direct computation.
//   iot_gateway DATA_DIR
#include <cmath>
#include <iostream>
#include <map>
#include <mutex>
#include <random>

#include "lkstream/pipeline.hpp"
#include "lkstream/producer.hpp"

using namespace std::chrono_literals;

struct reading {
  std::string device;
  double celsius = 0;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(reading, device, celsius)
};

struct summary {
  double min = 1e300, max = -1e300, sum = 0;
  int64_t n = 0;
  double mean() const { return sum / static_cast<double>(n); }
  void add(double v) { min = std::min(min, v), max = std::max(max, v), sum += v, ++n; }
};
void to_json(nlohmann::json& j, const summary& s) {
  j = {{"min", s.min}, {"max", s.max}, {"mean", s.mean()}, {"n", s.n}};
}

struct min_max_mean {
  summary init() const { return {}; }
  void add(summary& s, const reading& r) const { s.add(r.celsius); }
  summary result(const summary& s) const { return s; }
};

constexpr double threshold = 80.0;

int main(int argc, char** argv) {
  if (argc < 2) return std::cerr << "usage: iot_gateway DATA_DIR\n", 2;
  auto rt = lkstream::runtime::open({.engine = {.data_dir = argv[1]}});
  if (!rt) return std::cerr << rt.err().to_string() << "\n", 1;
  auto& eng = (*rt)->get_engine();

  // 8 devices report every second for 2 minutes; every 37th message is broken.
  std::map<std::pair<std::string, int64_t>, summary> direct;  // (device, window start)
  int malformed = 0;
  {
    (void)eng.create_topic("readings", 1);
    auto prod = eng.make_producer();
    std::mt19937 rng(7);
    for (int i = 0; i < 8 * 120; ++i) {
      reading r{"sensor-" + std::to_string(i % 8), 20 + static_cast<double>(rng() % 700) / 10};
      const int64_t ts = 1'700'000'000'000 + (i / 8) * 1000 + i % 8;
      std::string value = nlohmann::json(r).dump();
      if (i % 37 == 5)
        value = (++malformed % 2) ? "{\"device\": \"sensor-1\", " : "[]";
      else
        direct[{r.device, ts / 10000 * 10000}].add(r.celsius);
      if (!prod->send({.topic = "readings", .value = lkstream::as_bytes(value), .timestamp = ts}))
        return std::cerr << "send failed\n", 1;
    }
    if (!prod->flush()) return std::cerr << "flush failed\n", 1;
  }

  auto p = (*rt)->pipeline("iot", {.dead_letter_topic = "iot.dlq", .stop_at_end = true});
  auto windows = p.from<reading>("readings", lkstream::json_serde<reading>())
                     .key_by([](const reading& r) { return r.device; })
                     .window(lkstream::tumbling(10s))
                     .aggregate(min_max_mean{});
  std::mutex m;
  size_t wrong = 0;  // summaries that differ from the direct computation
  windows
      .peek([&](const lkstream::window_result<summary>& w) {
        std::lock_guard<std::mutex> g(m);
        auto& d = direct[{w.key, w.start}];
        wrong += d.n != w.value.n || d.min != w.value.min || d.max != w.value.max ||
                 std::abs(d.mean() - w.value.mean()) > 1e-9;
      })
      .map([](const lkstream::window_result<summary>& w) { return nlohmann::json(w).dump(); })
      .to("iot.stats");
  windows.filter([](const lkstream::window_result<summary>& w) { return w.value.max > threshold; })
      .map([](const lkstream::window_result<summary>& w) {
        return w.key + " reached " + std::to_string(w.value.max) + " C in [" +
               std::to_string(w.start) + ", " + std::to_string(w.end) + ")";
      })
      .to("iot.alerts");
  if (auto st = (*rt)->run(); !st) return std::cerr << st.err().to_string() << "\n", 1;

  auto st = (*rt)->status("iot");
  size_t alerts_expected = 0;
  for (auto& [k, s] : direct) alerts_expected += s.max > threshold;
  auto count = [&](const char* topic) {
    auto info = eng.describe_topic(topic);
    return info ? info->partitions.at(0).end_offset : -1;
  };
  const bool ok = wrong == 0 && st && st->dead_letters == static_cast<uint64_t>(malformed) &&
                  count("iot.dlq") == malformed &&
                  count("iot.stats") == static_cast<int64_t>(direct.size()) &&
                  count("iot.alerts") == static_cast<int64_t>(alerts_expected);
  std::cout << "iot_gateway: " << malformed << " malformed -> iot.dlq (" << count("iot.dlq")
            << "), " << count("iot.stats") << "/" << direct.size() << " window summaries, "
            << count("iot.alerts") << "/" << alerts_expected << " alerts, " << wrong
            << " wrong summaries\n";
  return ok ? 0 : 1;
}
