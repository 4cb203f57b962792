// lkstream/metrics: the latency histogram and the Prometheus text writer behind GET /metrics
// (the whole page is validated with promtool by tests/http).
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "lkstream/metrics/exposition.hpp"
#include "lkstream/metrics/histogram.hpp"
#include "lkstream/process/process_stats.hpp"

using namespace std::chrono_literals;
using lkstream::metrics::exposition;
using lkstream::metrics::latency_histogram;

TEST_CASE("HistogramPutsEachDurationInTheFirstBucketItFits") {
  latency_histogram h;
  h.observe(50us);    // <= 100 us: bucket 0
  h.observe(100us);   // exactly a bound: that bucket (Prometheus le is inclusive)
  h.observe(3ms);     // <= 5 ms: bucket 5
  h.observe(20s);     // above 10 s: +Inf
  h.observe(-5ms);    // a clock step back counts as 0
  auto s = h.read();
  CHECK(s.count == 5);
  CHECK(s.buckets[0] == 3);
  CHECK(s.buckets[5] == 1);
  CHECK(s.buckets[latency_histogram::bounds.size()] == 1);
  CHECK(s.sum_seconds == doctest::Approx(20.00315));
}

TEST_CASE("HistogramCountsEveryObservationOfConcurrentThreads") {
  latency_histogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.observe(std::chrono::microseconds(i));
    });
  for (auto& t : threads) t.join();
  CHECK(h.read().count == 40000);
}

TEST_CASE("ExpositionWritesFamiliesSamplesAndCumulativeBuckets") {
  exposition out;
  out.family("lkstream_x_total", "counter", "Things counted.\nTwo lines \\ here.");
  out.sample("lkstream_x_total", {{"topic", "a\"b\\c\nd"}, {"partition", "0"}}, 42);
  out.sample("lkstream_x_total", {}, 0.25);
  latency_histogram h;
  h.observe(200us);
  h.observe(2s);
  out.family("lkstream_d_seconds", "histogram", "Durations.");
  out.histogram("lkstream_d_seconds", {{"api", "Produce"}}, h.read());
  const std::string text = out.take();
  CHECK(text.find("# HELP lkstream_x_total Things counted.\\nTwo lines \\\\ here.\n") == 0);
  CHECK(text.find("# TYPE lkstream_x_total counter\n") != std::string::npos);
  CHECK(text.find("lkstream_x_total{topic=\"a\\\"b\\\\c\\nd\",partition=\"0\"} 42\n") !=
        std::string::npos);
  CHECK(text.find("lkstream_x_total 0.25\n") != std::string::npos);
  CHECK(text.find("lkstream_d_seconds_bucket{api=\"Produce\",le=\"0.0001\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("lkstream_d_seconds_bucket{api=\"Produce\",le=\"0.00025\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("lkstream_d_seconds_bucket{api=\"Produce\",le=\"2.5\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("lkstream_d_seconds_bucket{api=\"Produce\",le=\"+Inf\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("lkstream_d_seconds_count{api=\"Produce\"} 2\n") != std::string::npos);
  CHECK(text.find("lkstream_d_seconds_sum{api=\"Produce\"} 2.0002\n") != std::string::npos);
}

TEST_CASE("ProcessStatsReadThisProcess") {
  auto s = lkstream::process::read_process_stats();
  CHECK(s.resident_bytes > 0);
  CHECK(s.threads >= 1);
  CHECK(s.open_files >= 3);
  CHECK(s.start_time_seconds > 1.6e9);
}

#include "lkstream/config/settings_view.hpp"

TEST_CASE("BrokerSettingsAreRenderedAsTheReferenceShowsThem") {
  auto c = lkstream::config::parse("[broker]\nlisten = \"[::1]:19092\"\n", "t.toml");
  REQUIRE(c.has_value());
  auto settings = lkstream::config::render_broker_settings(*c);
  REQUIRE_FALSE(settings.empty());
  CHECK(settings.front().key == "data_dir");
  bool found = false;
  for (auto& s : settings)
    if (s.key == "listen") found = s.value == "\"[::1]:19092\"";
  CHECK(found);
  auto topic = lkstream::config::render_topic_settings(c->topic_defaults);
  bool fsync = false;
  for (auto& s : topic)
    if (s.key == "fsync") fsync = s.value == "\"interval\"";
  CHECK(fsync);
}
