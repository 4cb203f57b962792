// txn_coordinator_core without actors: Kafka's transaction state machine (InitProducerId epoch
// bumps and fencing, AddPartitions/AddOffsets/TxnOffsetCommit checks, EndTxn outcomes and
// retries, timeouts) and its durable log across reopen, torn tails and write failures.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "lkstream/storage/memory_file_system.hpp"
#include "lkstream/txn/txn_coordinator_core.hpp"

using namespace lkstream;
using namespace lkstream::txn;
using kafka::error_code;

namespace {

struct coordinator_harness {
  std::shared_ptr<storage::memory_file_system> fs =
      std::make_shared<storage::memory_file_system>();
  int64_t next_pid = 1000;
  std::unique_ptr<txn_coordinator_core> core;
  int64_t now = 1'700'000'000'000;

  coordinator_harness() { open(); }

  void open() {
    core.reset();
    coordinator_config cfg;
    cfg.fs = fs;
    cfg.dir = "/data/__transactions";
    cfg.allocate_producer_id = [this] { return next_pid++; };
    auto c = txn_coordinator_core::open(std::move(cfg));
    REQUIRE_MESSAGE(c, c.err().to_string());
    core = std::move(*c);
  }

  txn_coordinator_core::init_result init(const std::string& id, int32_t timeout = 60000) {
    return core->init_producer_id(id, timeout, now);
  }
};

const topic_partition tp0{"t", partition_id{0}};
const topic_partition tp1{"t", partition_id{1}};

}  // namespace

TEST_CASE("txn coordinator: InitProducerId gives a producer id, then bumps its epoch") {
  coordinator_harness h;
  auto a = h.init("app");
  REQUIRE(a.error == error_code::none);
  CHECK(a.producer_id == 1000);
  CHECK(a.epoch == 0);
  auto b = h.init("app");
  CHECK(b.producer_id == 1000);
  CHECK(b.epoch == 1);
  // The old epoch is fenced everywhere.
  CHECK(h.core->add_partitions("app", 1000, 0, {tp0}, h.now) == error_code::producer_fenced);
  CHECK(h.core->end_txn("app", 1000, 0, true, h.now).error == error_code::producer_fenced);
  CHECK(h.core->add_partitions("app", 999, 1, {tp0}, h.now) ==
        error_code::invalid_producer_id_mapping);
  CHECK(h.core->add_partitions("nobody", 1000, 1, {tp0}, h.now) ==
        error_code::invalid_producer_id_mapping);
  CHECK(h.init("app", 0).error == error_code::invalid_transaction_timeout);
  CHECK(h.init("app", 900001).error == error_code::invalid_transaction_timeout);
}

TEST_CASE("txn coordinator: a transaction's partitions and offsets, committed") {
  coordinator_harness h;
  auto p = h.init("app");
  CHECK(h.core->end_txn("app", p.producer_id, p.epoch, true, h.now).error ==
        error_code::invalid_txn_state);  // nothing begun
  REQUIRE(h.core->add_partitions("app", p.producer_id, p.epoch, {tp1, tp0}, h.now) ==
          error_code::none);
  CHECK(h.core->find("app")->status == txn_status::ongoing);
  CHECK(h.core->find("app")->partitions == std::vector<topic_partition>{tp0, tp1});
  CHECK(h.core->txn_offset_commit("app", p.producer_id, p.epoch, "g", {{"", tp0, 5, -1, "m"}},
                                  h.now) == error_code::invalid_txn_state);  // group not added
  REQUIRE(h.core->add_offsets("app", p.producer_id, p.epoch, "g", h.now) == error_code::none);
  REQUIRE(h.core->txn_offset_commit("app", p.producer_id, p.epoch, "g",
                                    {{"", tp0, 5, -1, "m"}}, h.now) == error_code::none);
  REQUIRE(h.core->txn_offset_commit("app", p.producer_id, p.epoch, "g",
                                    {{"", tp0, 7, 0, "n"}}, h.now) == error_code::none);
  auto end = h.core->end_txn("app", p.producer_id, p.epoch, true, h.now);
  REQUIRE(end.error == error_code::none);
  REQUIRE(end.todo);
  CHECK(end.todo->commit);
  CHECK(end.todo->partitions == std::vector<topic_partition>{tp0, tp1});
  REQUIRE(end.todo->offsets.size() == 1);
  CHECK(end.todo->offsets[0] == pending_offset{"g", tp0, 7, 0, "n"});
  CHECK(h.core->find("app")->status == txn_status::prepare_commit);
  // While the markers are out: retries and new work wait.
  CHECK(h.core->end_txn("app", p.producer_id, p.epoch, true, h.now).error ==
        error_code::concurrent_transactions);
  CHECK(h.core->add_partitions("app", p.producer_id, p.epoch, {tp0}, h.now) ==
        error_code::concurrent_transactions);
  CHECK(h.init("app").error == error_code::concurrent_transactions);
  REQUIRE(h.core->complete("app", h.now));
  CHECK(h.core->find("app")->status == txn_status::complete_commit);
  CHECK(h.core->find("app")->partitions.empty());
  // A retried commit is answered NONE, an abort of it INVALID_TXN_STATE.
  CHECK(h.core->end_txn("app", p.producer_id, p.epoch, true, h.now).error == error_code::none);
  CHECK(h.core->end_txn("app", p.producer_id, p.epoch, false, h.now).error ==
        error_code::invalid_txn_state);
  // The next transaction starts afresh.
  REQUIRE(h.core->add_partitions("app", p.producer_id, p.epoch, {tp1}, h.now) == error_code::none);
  CHECK(h.core->find("app")->partitions == std::vector<topic_partition>{tp1});
  CHECK(h.core->find("app")->offsets.empty());
}

TEST_CASE("txn coordinator: offsets pending in a transaction until it completes") {
  coordinator_harness h;
  auto a = h.init("a");
  auto b = h.init("b");
  REQUIRE(h.core->add_offsets("a", a.producer_id, a.epoch, "g", h.now) == error_code::none);
  REQUIRE(h.core->add_offsets("b", b.producer_id, b.epoch, "g", h.now) == error_code::none);
  REQUIRE(h.core->add_offsets("b", b.producer_id, b.epoch, "other", h.now) == error_code::none);
  CHECK(h.core->pending_offsets("g").empty());  // AddOffsetsToTxn alone commits nothing yet
  REQUIRE(h.core->txn_offset_commit("a", a.producer_id, a.epoch, "g", {{"", tp1, 5, -1, ""}},
                                    h.now) == error_code::none);
  REQUIRE(h.core->txn_offset_commit("b", b.producer_id, b.epoch, "g",
                                    {{"", tp1, 6, -1, ""}, {"", tp0, 2, -1, ""}},
                                    h.now) == error_code::none);
  REQUIRE(h.core->txn_offset_commit("b", b.producer_id, b.epoch, "other", {{"", tp0, 9, -1, ""}},
                                    h.now) == error_code::none);
  CHECK(h.core->pending_offsets("g") == std::vector<topic_partition>{tp0, tp1});
  CHECK(h.core->pending_offsets("other") == std::vector<topic_partition>{tp0});
  CHECK(h.core->pending_offsets("nobody").empty());
  // Decided but not complete: still pending (the offsets are not in the group yet).
  REQUIRE(h.core->end_txn("b", b.producer_id, b.epoch, true, h.now).todo);
  CHECK(h.core->pending_offsets("g") == std::vector<topic_partition>{tp0, tp1});
  REQUIRE(h.core->complete("b", h.now));
  CHECK(h.core->pending_offsets("g") == std::vector<topic_partition>{tp1});
  CHECK(h.core->pending_offsets("other").empty());
  REQUIRE(h.core->end_txn("a", a.producer_id, a.epoch, false, h.now).todo);
  REQUIRE(h.core->complete("a", h.now));
  CHECK(h.core->pending_offsets("g").empty());
}

TEST_CASE("txn coordinator: InitProducerId during an open transaction aborts it with a new epoch") {
  coordinator_harness h;
  auto p = h.init("app");
  REQUIRE(h.core->add_partitions("app", p.producer_id, p.epoch, {tp0}, h.now) == error_code::none);
  auto again = h.init("app");
  CHECK(again.error == error_code::concurrent_transactions);
  REQUIRE(again.abort);
  CHECK_FALSE(again.abort->commit);
  CHECK(again.abort->epoch == 1);  // the markers fence the zombie
  CHECK(again.abort->partitions == std::vector<topic_partition>{tp0});
  CHECK(h.init("app").error == error_code::concurrent_transactions);  // markers still out
  REQUIRE(h.core->complete("app", h.now));
  auto next = h.init("app");
  REQUIRE(next.error == error_code::none);
  CHECK(next.epoch == 2);
  // The zombie (epoch 0) is fenced.
  CHECK(h.core->end_txn("app", p.producer_id, 0, true, h.now).error ==
        error_code::producer_fenced);
}

TEST_CASE("txn coordinator: a transaction past its timeout is aborted and its producer fenced") {
  coordinator_harness h;
  auto p = h.init("app", 1000);
  REQUIRE(h.core->add_partitions("app", p.producer_id, p.epoch, {tp0}, h.now) == error_code::none);
  CHECK(h.core->next_deadline() == h.now + 1000);
  CHECK(h.core->expire(h.now + 999).empty());
  auto aborted = h.core->expire(h.now + 1000);
  REQUIRE(aborted.size() == 1);
  CHECK_FALSE(aborted[0].commit);
  CHECK(aborted[0].epoch == p.epoch + 1);
  CHECK(h.core->find("app")->status == txn_status::prepare_abort);
  REQUIRE(h.core->complete("app", h.now));
  CHECK(h.core->end_txn("app", p.producer_id, p.epoch, true, h.now).error ==
        error_code::producer_fenced);
  CHECK_FALSE(h.core->next_deadline());
}

TEST_CASE("txn coordinator: the state survives a reopen; decided transactions are recovered") {
  coordinator_harness h;
  auto a = h.init("committed");
  auto b = h.init("open");
  auto c = h.init("aborting");
  REQUIRE(h.core->add_partitions("committed", a.producer_id, a.epoch, {tp0}, h.now) ==
          error_code::none);
  REQUIRE(h.core->add_offsets("committed", a.producer_id, a.epoch, "g", h.now) == error_code::none);
  REQUIRE(h.core->txn_offset_commit("committed", a.producer_id, a.epoch, "g",
                                    {{"", tp1, 42, -1, ""}}, h.now) == error_code::none);
  REQUIRE(h.core->end_txn("committed", a.producer_id, a.epoch, true, h.now).todo);
  REQUIRE(h.core->add_partitions("open", b.producer_id, b.epoch, {tp1}, h.now) ==
          error_code::none);
  REQUIRE(h.core->add_partitions("aborting", c.producer_id, c.epoch, {tp1}, h.now) ==
          error_code::none);
  REQUIRE(h.core->end_txn("aborting", c.producer_id, c.epoch, false, h.now).todo);
  const auto before = h.core->all();
  SUBCASE("a clean reopen") { h.open(); }
  SUBCASE("a crash: every answered change was synced") {
    h.fs->crash();
    h.open();
  }
  CHECK(h.core->all() == before);
  REQUIRE(h.core->recovered().size() == 2);
  const auto& r0 = h.core->recovered()[0];  // by id: "aborting", "committed"
  CHECK(r0.transactional_id == "aborting");
  CHECK_FALSE(r0.commit);
  const auto& r1 = h.core->recovered()[1];
  CHECK(r1.transactional_id == "committed");
  CHECK(r1.commit);
  REQUIRE(r1.offsets.size() == 1);
  CHECK(r1.offsets[0].offset == 42);
  CHECK(h.core->find("open")->status == txn_status::ongoing);  // times out later
  // New producer ids never repeat one of the log.
  REQUIRE(h.core->complete("committed", h.now));
  auto again = h.init("committed");
  CHECK(again.producer_id == a.producer_id);
  CHECK(again.epoch == a.epoch + 1);
}

TEST_CASE("txn coordinator: a torn record at the end of the log is cut, the rest kept") {
  coordinator_harness h;
  auto a = h.init("a");
  REQUIRE(a.error == error_code::none);
  h.core.reset();
  {
    auto f = h.fs->open("/data/__transactions/transactions.log", storage::open_mode::read_write);
    REQUIRE(f);
    std::byte torn[5] = {std::byte{0}, std::byte{0}, std::byte{1}, std::byte{0}, std::byte{7}};
    REQUIRE((*f)->append({torn, sizeof(torn)}));
  }
  h.open();
  REQUIRE(h.core->find("a"));
  CHECK(h.core->find("a")->producer_id == a.producer_id);
  // It keeps working after the cut.
  CHECK(h.init("a").epoch == 1);
  h.open();
  CHECK(h.core->find("a")->producer_epoch == 1);
}

TEST_CASE("txn coordinator: a failed write changes nothing and is retriable") {
  coordinator_harness h;
  auto p = h.init("app");
  h.fs->fail_next_sync(errc::io_error);
  CHECK(h.core->add_partitions("app", p.producer_id, p.epoch, {tp0}, h.now) ==
        error_code::coordinator_not_available);
  CHECK(h.core->find("app")->status == txn_status::empty);
  CHECK(h.core->add_partitions("app", p.producer_id, p.epoch, {tp0}, h.now) == error_code::none);
  h.open();
  CHECK(h.core->find("app")->status == txn_status::ongoing);
}

TEST_CASE("txn metadata: the record encoding round-trips and rejects damage") {
  txn_metadata m;
  m.transactional_id = "id-ü";
  m.producer_id = 77;
  m.producer_epoch = 3;
  m.timeout_ms = 5000;
  m.status = txn_status::prepare_commit;
  m.partitions = {tp0, tp1};
  m.groups = {"g1", "g2"};
  m.offsets = {{"g1", tp0, 10, 2, std::string(300, 'x')}};
  m.start_ms = 5;
  m.update_ms = 6;
  bytes b;
  encode_txn_metadata(m, b);
  auto back = decode_txn_metadata(b);
  REQUIRE(back);
  CHECK(*back == m);
  for (size_t cut = 0; cut < b.size(); ++cut)
    CHECK_FALSE(decode_txn_metadata(bytes_view(b).first(cut)));
  bytes bad = b;
  bad[0] = std::byte{9};
  CHECK_FALSE(decode_txn_metadata(bad));
  CHECK(parse_txn_status("PrepareAbort") == txn_status::prepare_abort);
  CHECK_FALSE(parse_txn_status("Bogus"));
}
