// Produce without copying the batch (issue 6): the Kafka listener hands each partition a slice
// of the request frame; a batch much smaller than its frame is copied so it does not pin the
// frame in the hot tail; a frame handed over is never reused for the next request.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine_impl.hpp"
#include "kafka/kafka_test_support.hpp"
#include "lkstream/model/record_batch.hpp"
#include "messages.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream {
namespace {

using kafka::error_code;
using kafka_test::broker;
using kafka_test::raw_client;

// One uncompressed batch of `n` records whose values are `value_size` copies of `fill`.
bytes filled_batch(int n, size_t value_size, char fill) {
  bytes b;
  model::batch_builder builder(b);
  const std::string v(value_size, fill);
  for (int i = 0; i < n; ++i) builder.append(1700000000000 + i, std::nullopt, as_bytes(v));
  builder.finish();
  return b;
}

actors::partition_description describe(broker& b, const std::string& topic, int32_t p) {
  auto& impl = engine_access::of(b.eng());
  auto h = impl.board->find(topic);
  REQUIRE(h);
  auto d = impl.ask<actors::partition_description>(h->partitions[static_cast<size_t>(p)],
                                                   actors::describe_atom::value);
  REQUIRE_MESSAGE(d, (d ? "" : d.err().message));
  return *d;
}

// Produces one batch to partition 0 (acks=-1) and returns the partition's error code.
error_code produce_to(raw_client& c, const std::string& topic, const bytes& batch) {
  auto id = c.send(kafka_test::produce_one(topic, 0, batch), 7);
  auto r = c.receive<kafka::produce_response>(7, id);
  REQUIRE(r.responses.size() == 1);
  REQUIRE(r.responses[0].partitions.size() == 1);
  return r.responses[0].partitions[0].error;
}

// Every record value of every batch Fetch returns for `topic`-`p` from offset 0, after checking
// each batch's CRC and structure.
std::vector<std::string> fetch_values(raw_client& c, const std::string& topic, int32_t p) {
  kafka::fetch_request rq;
  rq.max_wait_ms = 0;
  rq.min_bytes = 1;
  rq.max_bytes = 8 << 20;
  rq.topics.push_back({topic, {{p, -1, 0, -1, 8 << 20}}});
  auto id = c.send(rq, 11);
  auto r = c.receive<kafka::fetch_response>(11, id, std::chrono::seconds(20));
  REQUIRE(r.responses.size() == 1);
  REQUIRE(r.responses[0].partitions.size() == 1);
  auto& pr = r.responses[0].partitions[0];
  REQUIRE(pr.error == error_code::none);
  std::vector<std::string> values;
  for (auto& chunk : pr.records) {
    bytes_view rest = chunk.data;
    while (!rest.empty()) {
      auto hdr = model::read_header(rest);
      REQUIRE(hdr);
      bytes_view batch = rest.first(hdr->size_bytes());
      REQUIRE_MESSAGE(model::validate_batch(batch), "a fetched batch fails its CRC check");
      model::record_iterator it(batch);
      model::record_view rec;
      while (it.next(rec)) values.emplace_back(as_string_view(*rec.value));
      rest = rest.subspan(hdr->size_bytes());
    }
  }
  return values;
}

}  // namespace

TEST_CASE("zerocopy: a Produce frame's small batches are copied, so the hot tail never "
          "accounts less than the frame memory it pins") {
  broker b;
  REQUIRE(b.eng().create_topic("zc", 8));
  raw_client c(b.port());
  // One large batch (most of the frame) and seven tiny ones, in one request.
  const bytes large = filled_batch(200, 1000, 'L');
  std::vector<bytes> tiny;
  kafka::produce_request rq;
  rq.acks = -1;
  rq.timeout_ms = 10000;
  rq.topics.push_back({"zc", {{0, bytes_view(large)}}});
  for (int32_t p = 1; p < 8; ++p) tiny.push_back(filled_batch(1, 8, static_cast<char>('a' + p)));
  for (int32_t p = 1; p < 8; ++p)
    rq.topics[0].partitions.push_back({p, bytes_view(tiny[static_cast<size_t>(p - 1)])});
  auto id = c.send(rq, 7);
  auto resp = c.receive<kafka::produce_response>(7, id);
  REQUIRE(resp.responses.size() == 1);
  REQUIRE(resp.responses[0].partitions.size() == 8);
  for (auto& pr : resp.responses[0].partitions) CHECK(pr.error == error_code::none);

  // The tiny batches own buffers of their size: none pins the ~200 KB frame.
  uint64_t accounted = 0;
  for (int32_t p = 1; p < 8; ++p) {
    auto d = describe(b, "zc", p);
    CHECK(d.end == offset{1});
    CHECK(d.hot_tail_bytes >= tiny[0].size());
    CHECK(d.hot_tail_bytes < 1024);
    accounted += d.hot_tail_bytes;
  }
  // The large batch stayed in the frame and is accounted at the frame's size (it pins it all).
  auto d0 = describe(b, "zc", 0);
  CHECK(d0.end == offset{200});
  CHECK(d0.hot_tail_bytes > large.size());
  CHECK(d0.hot_tail_bytes < large.size() + 4096);
  accounted += d0.hot_tail_bytes;
  CHECK(accounted < large.size() + 8 * 1024);

  // Every partition serves what was produced, stamped and intact.
  auto v0 = fetch_values(c, "zc", 0);
  REQUIRE(v0.size() == 200);
  CHECK(v0.front() == std::string(1000, 'L'));
  CHECK(v0.back() == std::string(1000, 'L'));
  for (int32_t p = 1; p < 8; ++p) {
    auto v = fetch_values(c, "zc", p);
    REQUIRE(v.size() == 1);
    CHECK(v[0] == std::string(8, static_cast<char>('a' + p)));
  }
}

TEST_CASE("zerocopy: a small request frame handed to a partition is not reused for the next "
          "request on the connection") {
  broker b;
  REQUIRE(b.eng().create_topic("spare", 1));
  raw_client c(b.port());
  // Frames of ~3 KB: inside the connection's reusable 4 KiB buffer, and more than half of
  // it, so each batch is handed over inside that buffer.
  const bytes first = filled_batch(3, 1000, 'A');
  const bytes second = filled_batch(3, 1000, 'B');
  REQUIRE(first.size() + 100 < 4 * 1024);
  REQUIRE(first.size() > 2 * 1024);
  CHECK(produce_to(c, "spare", first) == error_code::none);
  CHECK(produce_to(c, "spare", second) == error_code::none);
  auto d = describe(b, "spare", 0);
  CHECK(d.end == offset{6});
  CHECK(d.hot_tail_bytes >= first.size() + second.size());  // both still in the hot tail

  auto values = fetch_values(c, "spare", 0);
  REQUIRE(values.size() == 6);
  for (size_t i = 0; i < 3; ++i) CHECK(values[i] == std::string(1000, 'A'));
  for (size_t i = 3; i < 6; ++i) CHECK(values[i] == std::string(1000, 'B'));
}

}  // namespace lkstream
