// producer_state: the idempotent-producer rules of kafka-protocol-notes.md §1.5, and the
// rebuild from a log after a restart.
#include <doctest/doctest.h>

#include "lkstream/model/record_batch.hpp"
#include "lkstream/storage/memory_file_system.hpp"
#include "lkstream/partition/producer_state.hpp"

using namespace lkstream;
using namespace lkstream::partition;

namespace {

model::batch_header batch(int64_t pid, int16_t epoch, int32_t seq, int32_t records) {
  model::batch_header h;
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = seq;
  h.last_offset_delta = records - 1;
  h.records_count = records;
  return h;
}

}  // namespace

TEST_CASE("producer_state: in-order batches pass, retries of the last five are duplicates") {
  producer_state s;
  int64_t next = 0;
  for (int i = 0; i < 7; ++i) {
    auto h = batch(42, 0, i * 10, 10);
    REQUIRE(s.check(h).check == sequence_check::ok);
    s.record(h, offset{next}, offset{next + 9});
    next += 10;
  }
  auto retry = s.check(batch(42, 0, 60, 10));
  CHECK(retry.check == sequence_check::duplicate);
  CHECK(retry.original.base_offset == offset{60});
  CHECK(retry.original.last_offset == offset{69});
  CHECK(s.check(batch(42, 0, 20, 10)).check == sequence_check::duplicate);  // 5th newest
  CHECK(s.check(batch(42, 0, 10, 10)).check == sequence_check::out_of_order);  // evicted
  CHECK(s.check(batch(42, 0, 75, 1)).check == sequence_check::out_of_order);   // gap
  CHECK(s.check(batch(42, 0, 70, 3)).check == sequence_check::ok);
}

TEST_CASE("producer_state: epochs fence old producers and restart sequences at zero") {
  producer_state s;
  s.record(batch(7, 3, 0, 5), offset{0}, offset{4});
  CHECK(s.check(batch(7, 2, 5, 1)).check == sequence_check::stale_epoch);
  CHECK(s.check(batch(7, 4, 5, 1)).check == sequence_check::out_of_order);
  CHECK(s.check(batch(7, 4, 0, 1)).check == sequence_check::ok);
  CHECK(s.check(batch(8, 0, 1234, 1)).check == sequence_check::ok);  // unknown id: any sequence
  CHECK(s.check(batch(9, 0, -1, 1)).check == sequence_check::missing_sequence);
  CHECK(s.check(batch(-1, -1, -1, 1)).check == sequence_check::ok);  // not idempotent
}

TEST_CASE("producer_state: sequences wrap from INT32_MAX to 0") {
  producer_state s;
  s.record(batch(1, 0, INT32_MAX - 1, 2), offset{0}, offset{1});
  CHECK(s.check(batch(1, 0, 0, 1)).check == sequence_check::ok);
  CHECK(s.check(batch(1, 0, INT32_MAX - 1, 2)).check == sequence_check::duplicate);
}

TEST_CASE("producer_state: rebuild from the log restores duplicate detection") {
  auto fs = std::make_shared<storage::memory_file_system>();
  auto log = storage::log::open(fs, "/p", {}, 1000);
  REQUIRE(log);
  for (int i = 0; i < 3; ++i) {
    bytes b;
    model::batch_builder builder(b, 99, 0, i * 2);
    builder.append(1000, std::nullopt, as_bytes("a"));
    builder.append(1000, std::nullopt, as_bytes("b"));
    builder.finish();
    REQUIRE((*log)->append(b, 1000));
  }
  producer_state s;
  REQUIRE(s.rebuild(**log, offset{0}));
  CHECK(s.producer_count() == 1);
  auto dup = s.check(batch(99, 0, 4, 2));
  CHECK(dup.check == sequence_check::duplicate);
  CHECK(dup.original.base_offset == offset{4});
  CHECK(s.check(batch(99, 0, 6, 1)).check == sequence_check::ok);
}
