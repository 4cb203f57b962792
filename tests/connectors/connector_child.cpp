// Child process of the file_sink crash test:
//   connector_child CONFIG.toml CONNECTOR RECORDS
// opens the engine from CONFIG.toml and runs its connectors (sink batches of 50 records, so a
// run has many commits) while it produces the records RECORDS-1 of CONNECTOR's first topic
// (one partition), continuing from the topic's end offset (value = the record's offset, as
// text), 100 per flush, so the sink is still busy when the parent kills it.
// Prints on stdout (flushed): "committed <n>" whenever the sink's committed record count of
// this run changes, "done" once the group's committed offset reached RECORDS; then stops and
// exits 0. Any error: a line on stderr and exit 1. The parent kills it with SIGKILL.
#include <iostream>
#include <string>
#include <thread>

#include "lkstream/connector_host.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"

using namespace lkstream;

namespace {

int fail(const std::string& why) {
  std::cerr << why << std::endl;
  return 1;
}

int64_t committed_offset(const connector_status& s) {
  int64_t sum = 0;
  for (auto& p : s.partitions) sum += std::max<int64_t>(0, p.committed);
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return fail("usage: connector_child CONFIG.toml CONNECTOR RECORDS");
  const std::string name = argv[2];
  const int64_t target = std::stoll(argv[3]);
  engine_options eo;
  eo.config_file = argv[1];
  eo.log = [](std::string_view line) { std::cerr << line << std::endl; };
  auto eng = engine::open(std::move(eo));
  if (!eng) return fail(eng.err().to_string());
  const config::connector_entry* entry = nullptr;
  for (auto& c : (*eng)->configuration().connectors)
    if (c.name == name) entry = &c;
  if (!entry || entry->topics.empty()) return fail("no connector " + name + " with a topic");
  const std::string topic = entry->topics.front();

  connector_host_options ho;
  ho.sink_batch_records = 50;
  ho.poll_timeout = std::chrono::milliseconds(50);
  auto host = connector_host::start(**eng, (*eng)->configuration(), ho);
  if (!host) return fail(host.err().to_string());

  std::thread producing([&] {
    auto info = (*eng)->describe_topic(topic);
    if (!info) return (void)fail(info.err().to_string());
    auto prod = (*eng)->make_producer();
    for (int64_t i = info->partitions.at(0).end_offset; i < target; ++i) {
      std::string v = std::to_string(i);
      if (!prod->send({.topic = topic, .key = std::nullopt, .value = as_bytes(v)}))
        return (void)fail("send failed");
      if (i % 100 == 99 && !prod->flush()) return (void)fail("flush failed");
    }
    (void)prod->flush();
  });

  uint64_t last = UINT64_MAX;
  int code = 0;
  for (;;) {
    auto st = (*host)->wait_for(
        name,
        [&](const connector_status& s) {
          return s.records != last || s.state == connector_state::failed ||
                 committed_offset(s) >= target;
        },
        std::chrono::seconds(30));
    if (!st) {
      code = fail(st.err().to_string());
      break;
    }
    if (st->state == connector_state::failed) {
      code = fail("connector failed: " + st->last_error);
      break;
    }
    if (committed_offset(*st) >= target) {
      std::cout << "done" << std::endl;
      break;
    }
    if (st->records == last) {
      code = fail("no progress for 30 s: " + std::string(to_string(st->state)) + " " +
                  st->last_error);
      break;
    }
    last = st->records;
    std::cout << "committed " << last << std::endl;
  }
  producing.join();
  (void)(*host)->stop();
  if (!(*eng)->close()) code = 1;
  return code;
}
