// The embedded API end to end: open a data directory, create a topic, produce keyed records
// with delivery callbacks, consume them all with a group consumer, commit.
//
//   producer_consumer DATA_DIR [RECORDS]
//
// Exit 0 only if every record was acknowledged and consumed exactly once.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>

#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: producer_consumer DATA_DIR [RECORDS]\n";
    return 2;
  }
  const int records = argc > 2 ? std::atoi(argv[2]) : 1000;
  lkstream::engine_options options;
  options.data_dir = argv[1];
  auto eng = lkstream::engine::open(std::move(options));
  if (!eng) {
    std::cerr << eng.err().to_string() << "\n";
    return 1;
  }
  if (auto st = (*eng)->create_topic("orders", 3); !st) {
    std::cerr << st.err().to_string() << "\n";
    return 1;
  }

  std::atomic<int> acked{0}, failed{0};
  {
    auto prod = (*eng)->make_producer();
    for (int i = 0; i < records; ++i) {
      std::string key = "customer-" + std::to_string(i % 17);
      std::string value = "order " + std::to_string(i);
      auto st = prod->send(
          {.topic = "orders", .key = lkstream::as_bytes(key), .value = lkstream::as_bytes(value)},
          [&](const lkstream::delivery_report& r) {
            (r.code == lkstream::errc::ok ? acked : failed)++;
          });
      if (!st) {
        std::cerr << "send: " << st.err().to_string() << "\n";
        return 1;
      }
    }
    if (auto st = prod->flush(); !st) std::cerr << "flush: " << st.err().to_string() << "\n";
  }

  auto cons = (*eng)->make_consumer({.group_id = "billing",
                                     .auto_offset_reset = lkstream::offset_reset::earliest,
                                     .enable_auto_commit = false});
  if (!cons || !(*cons)->subscribe({"orders"})) {
    std::cerr << "cannot create and subscribe the consumer\n";
    return 1;
  }
  std::set<std::string> seen;
  int consumed = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (consumed < acked && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*cons)->poll(100ms);
    if (!batch) {
      std::cerr << "poll: " << batch.err().to_string() << "\n";
      return 1;
    }
    for (auto& rec : *batch) {
      ++consumed;
      seen.insert(std::string(lkstream::as_string_view(*rec.value)));
    }
  }
  auto committed = (*cons)->commit_sync();
  auto left = (*cons)->close();
  cons->reset();
  auto closed = (*eng)->close();

  std::cout << "produced " << acked << " (" << failed << " failed), consumed " << consumed << " ("
            << seen.size() << " distinct), "
            << (committed ? "committed" : "commit failed: " + committed.err().to_string()) << "\n";
  bool ok = acked == records && failed == 0 && consumed == records &&
            seen.size() == static_cast<size_t>(records) && committed && left && closed;
  return ok ? 0 : 1;
}
