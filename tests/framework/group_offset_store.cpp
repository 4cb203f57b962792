// Durable committed offsets over the in-memory file system: restart, crash, torn tails,
// corruption, compaction, write failures and group-name escaping.
#include <doctest/doctest.h>

#include "lkstream/group/offset_store.hpp"
#include "lkstream/storage/memory_file_system.hpp"

using namespace lkstream;
using namespace lkstream::group;

namespace {

const std::string data_dir = "/data";

offset_commit_partition oc(std::string topic, int32_t p, int64_t off, std::string meta = {}) {
  return {{std::move(topic), partition_id{p}}, off, -1, std::move(meta)};
}

topic_partition tp(std::string topic, int32_t p) { return {std::move(topic), partition_id{p}}; }

struct fs_fixture {
  std::shared_ptr<storage::memory_file_system> fs = std::make_shared<storage::memory_file_system>();

  fs_fixture() { REQUIRE(fs->create_directories(data_dir)); }

  std::unique_ptr<offset_store> open(const std::string& group, offset_store_config cfg = {}) {
    auto s = offset_store::open(fs, data_dir, group, cfg);
    REQUIRE_MESSAGE(s, (s ? "" : s.err().to_string()));
    return std::move(s).value();
  }
  std::string path(const std::string& group) {
    return data_dir + "/__consumer_offsets/" + offset_store::file_name(group);
  }
};

}  // namespace

TEST_CASE_FIXTURE(fs_fixture, "group: committed offsets survive a restart and a crash") {
  {
    auto s = open("orders-app");
    CHECK(s->offsets().empty());
    CHECK(!fs->exists(path("orders-app")));  // nothing written until the first commit
    std::vector<offset_commit_partition> c{oc("orders", 0, 42, "m0"), oc("orders", 1, 7)};
    c[1].leader_epoch = 3;
    REQUIRE(s->commit(c, 1000));
    REQUIRE(s->commit(std::vector{oc("orders", 0, 50)}, 2000));
  }
  fs->crash();  // only synced bytes survive
  auto s = open("orders-app");
  REQUIRE(s->offsets().size() == 2);
  auto* p0 = s->find(tp("orders", 0));
  REQUIRE(p0);
  CHECK(p0->offset == 50);
  CHECK(p0->metadata.empty());
  CHECK(p0->commit_timestamp == 2000);
  auto* p1 = s->find(tp("orders", 1));
  REQUIRE(p1);
  CHECK(*p1 == committed_offset{7, 3, "", 1000});
  CHECK(s->find(tp("orders", 2)) == nullptr);
  CHECK(s->recovery().problems.empty());
  CHECK(s->recovery().records_replayed == 3);  // header + 2 commits
}

TEST_CASE_FIXTURE(fs_fixture, "group: one commit call with many partitions costs one sync") {
  auto s = open("g");
  REQUIRE(s->commit(std::vector{oc("t", 0, 1)}, 1));  // creates the file (+ directory syncs)
  auto before = fs->sync_count();
  std::vector<offset_commit_partition> many;
  for (int p = 0; p < 100; ++p) many.push_back(oc("t", p, p * 10));
  REQUIRE(s->commit(many, 2));
  CHECK(fs->sync_count() == before + 1);
}

TEST_CASE_FIXTURE(fs_fixture, "group: a torn tail is truncated and later commits append cleanly") {
  uint64_t first_size = 0;
  {
    auto s = open("g");
    REQUIRE(s->commit(std::vector{oc("t", 0, 1)}, 1));
    first_size = s->file_bytes();
    REQUIRE(s->commit(std::vector{oc("t", 0, 2), oc("t", 1, 5)}, 2));
  }
  REQUIRE(fs->truncate_file(path("g"), *fs->file_size(path("g")) - 3));  // cut the last record
  {
    auto s = open("g");
    CHECK(s->find(tp("t", 0))->offset == 1);
    CHECK(s->find(tp("t", 1)) == nullptr);
    CHECK(s->recovery().truncated_bytes > 0);
    REQUIRE(s->recovery().problems.size() == 1);
    CHECK(s->recovery().problems[0].find("torn record at byte " + std::to_string(first_size)) !=
          std::string::npos);
    CHECK(*fs->file_size(path("g")) == first_size);
    REQUIRE(s->commit(std::vector{oc("t", 1, 9)}, 3));
  }
  auto s = open("g");
  CHECK(s->recovery().problems.empty());
  CHECK(s->find(tp("t", 0))->offset == 1);
  CHECK(s->find(tp("t", 1))->offset == 9);
}

TEST_CASE_FIXTURE(fs_fixture, "group: unsynced bytes lost in a crash leave a readable torn tail") {
  {
    auto s = open("g");
    REQUIRE(s->commit(std::vector{oc("t", 0, 1)}, 1));
  }
  // A commit whose sync never happened: its bytes are written, then power fails with 5 of them.
  auto size = *fs->file_size(path("g"));
  {
    auto s = open("g");
    fs->fail_next_sync(errc::io_error);
    auto st = s->commit(std::vector{oc("t", 0, 2)}, 2);
    CHECK(!st);
    CHECK(s->find(tp("t", 0))->offset == 1);  // memory unchanged on failure
  }
  CHECK(*fs->file_size(path("g")) == size);  // cut back after the failed sync
  REQUIRE(fs->append_raw(path("g"), bytes(5, std::byte{0x33})));
  auto s = open("g");
  CHECK(s->find(tp("t", 0))->offset == 1);
  CHECK(s->recovery().truncated_bytes == 5);
}

TEST_CASE_FIXTURE(fs_fixture, "group: a corrupt record in the middle is skipped, the rest kept") {
  uint64_t second_record_at = 0;
  {
    auto s = open("g");
    REQUIRE(s->commit(std::vector{oc("a", 0, 1)}, 1));
    second_record_at = s->file_bytes();
    REQUIRE(s->commit(std::vector{oc("b", 0, 2)}, 2));
    REQUIRE(s->commit(std::vector{oc("c", 0, 3)}, 3));
  }
  REQUIRE(fs->flip_bit(path("g"), second_record_at + 20, 1));
  auto s = open("g");
  CHECK(s->find(tp("a", 0))->offset == 1);
  CHECK(s->find(tp("b", 0)) == nullptr);
  CHECK(s->find(tp("c", 0))->offset == 3);
  CHECK(s->recovery().skipped_records == 1);
  REQUIRE(!s->recovery().problems.empty());
  CHECK(s->recovery().problems[0].find("bad CRC at byte " + std::to_string(second_record_at)) !=
        std::string::npos);
  CHECK(s->recovery().compacted);  // the damaged file was rewritten clean
  auto again = open("g");
  CHECK(again->recovery().problems.empty());
  CHECK(again->offsets() == s->offsets());
}

TEST_CASE_FIXTURE(fs_fixture, "group: an impossible length ends the readable part") {
  {
    auto s = open("g");
    REQUIRE(s->commit(std::vector{oc("a", 0, 1)}, 1));
  }
  bytes garbage{std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0},
                std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{1}};
  REQUIRE(fs->append_raw(path("g"), garbage));
  auto s = open("g");
  CHECK(s->find(tp("a", 0))->offset == 1);
  CHECK(s->recovery().truncated_bytes == garbage.size());
}

TEST_CASE_FIXTURE(fs_fixture, "group: the log is compacted on open when 4x larger than its state") {
  offset_store_config cfg;
  cfg.compact_min_bytes = 256;
  {
    auto s = open("g", {4.0, UINT64_MAX, 64u << 20});  // no compaction while writing
    for (int i = 0; i < 100; ++i) REQUIRE(s->commit(std::vector{oc("t", 0, i), oc("t", 1, -i)}, i));
  }
  auto big = *fs->file_size(path("g"));
  auto s = open("g", cfg);
  CHECK(s->recovery().compacted);
  auto small = *fs->file_size(path("g"));
  CHECK(small * 20 < big);
  CHECK(s->find(tp("t", 0))->offset == 99);
  CHECK(s->find(tp("t", 1))->offset == -99);
  CHECK(s->find(tp("t", 1))->commit_timestamp == 99);
  CHECK(!fs->exists(path("g") + ".compact"));
  auto again = open("g", cfg);
  CHECK(!again->recovery().compacted);
  CHECK(again->offsets() == s->offsets());
}

TEST_CASE_FIXTURE(fs_fixture, "group: frequent commits keep the file bounded") {
  offset_store_config cfg;
  cfg.compact_min_bytes = 1024;
  auto s = open("g", cfg);
  for (int i = 0; i < 2000; ++i) REQUIRE(s->commit(std::vector{oc("t", i % 3, i)}, i));
  CHECK(s->file_bytes() < 4 * 1024 + 200);
  CHECK(s->last_compaction_error().empty());
  auto again = open("g", cfg);
  CHECK(again->find(tp("t", 1))->offset == 1999);  // 1999 % 3 == 1
  CHECK(again->find(tp("t", 0))->offset == 1998);
  CHECK(again->offsets() == s->offsets());
}

TEST_CASE_FIXTURE(fs_fixture, "group: a failed write leaves file and memory unchanged") {
  auto s = open("g");
  REQUIRE(s->commit(std::vector{oc("t", 0, 1)}, 1));
  auto size = s->file_bytes();
  fs->fail_next_append(errc::no_space);
  auto st = s->commit(std::vector{oc("t", 0, 2)}, 2);
  REQUIRE(!st);
  CHECK(st.code() == errc::no_space);
  fs->short_write_next(4);
  CHECK(!s->commit(std::vector{oc("t", 0, 3)}, 3));
  CHECK(s->find(tp("t", 0))->offset == 1);
  CHECK(*fs->file_size(path("g")) == size);
  REQUIRE(s->commit(std::vector{oc("t", 0, 4)}, 4));
  auto again = open("g");
  CHECK(again->recovery().problems.empty());
  CHECK(again->find(tp("t", 0))->offset == 4);
}

TEST_CASE_FIXTURE(fs_fixture, "group: topic removal and expiry are durable") {
  {
    auto s = open("g");
    REQUIRE(s->commit(std::vector{oc("keep", 0, 1), oc("drop", 0, 2), oc("drop", 1, 3)}, 100));
    REQUIRE(s->commit(std::vector{oc("fresh", 0, 4)}, 900));
    auto removed = s->remove_topic("drop");
    REQUIRE(removed);
    CHECK(*removed == 2);
    CHECK(*s->remove_topic("absent") == 0);
    auto expired = s->expire(1000, 500);  // drops commits made at or before 500
    REQUIRE(expired);
    CHECK(*expired == 1);
  }
  fs->crash();
  auto s = open("g");
  CHECK(s->offsets().size() == 1);
  CHECK(s->find(tp("fresh", 0))->offset == 4);
}

TEST_CASE("group: group names of any bytes map to safe, reversible file names") {
  std::vector<std::string> names{"", ".", "..", "a/b", "../etc", "caf\xc3\xa9", "%", "100%",
                                 "x~y", std::string("nul\0byte", 8), "-dash", "a.b",
                                 "UPPER lower", std::string(300, 'z'), std::string(120, '/')};
  for (const auto& n : names) {
    auto f = offset_store::file_name(n);
    CHECK(f.find('/') == std::string::npos);
    CHECK(f.find('\0') == std::string::npos);
    CHECK(f[0] != '.');
    CHECK(f.size() <= 220);
    CHECK(f.ends_with(".log"));
    if (n.size() < 60) CHECK(offset_store::group_from_file_name(f) == n);
  }
  CHECK(offset_store::file_name("a.b") == "a.b.log");
  CHECK(offset_store::file_name("a/b") == "a%2Fb.log");
  CHECK(offset_store::file_name("") == "%.log");
  CHECK(offset_store::file_name(".") == "%2E.log");
  CHECK(offset_store::group_from_file_name("a%2fb.log") == std::nullopt);  // not canonical
  CHECK(offset_store::group_from_file_name("notes.txt") == std::nullopt);
  CHECK(offset_store::file_name(std::string(300, 'z')) !=
        offset_store::file_name(std::string(301, 'z')));
}

TEST_CASE_FIXTURE(fs_fixture, "group: list_groups finds every group after a restart") {
  std::vector<std::string> groups{"", "a/b", "orders", std::string(400, 'q'), "caf\xc3\xa9"};
  for (const auto& g : groups) {
    auto s = open(g);
    REQUIRE(s->commit(std::vector{oc("t", 0, 1)}, 1));
  }
  auto never_committed = open("idle");  // opening alone leaves no trace
  REQUIRE(fs->create_directories(data_dir + "/__consumer_offsets/stray-dir"));
  auto f = fs->open(data_dir + "/__consumer_offsets/readme.txt", storage::open_mode::create);
  REQUIRE(f);
  fs->crash();
  auto listed = offset_store::list_groups(*fs, data_dir);
  REQUIRE(listed);
  auto expected = groups;
  std::sort(expected.begin(), expected.end());
  CHECK(*listed == expected);
  auto none = offset_store::list_groups(*fs, "/elsewhere");
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE_FIXTURE(fs_fixture, "group: a file holding another group's offsets is refused") {
  {
    auto s = open("alpha");
    REQUIRE(s->commit(std::vector{oc("t", 0, 1)}, 1));
  }
  REQUIRE(fs->rename(path("alpha"), path("beta")));
  auto s = offset_store::open(fs, data_dir, "beta");
  REQUIRE(!s);
  CHECK(s.err().message.find("'alpha'") != std::string::npos);
}

TEST_CASE_FIXTURE(fs_fixture, "group: a leftover compaction file is discarded at open") {
  {
    auto s = open("g");
    REQUIRE(s->commit(std::vector{oc("t", 0, 1)}, 1));
  }
  auto tmp = fs->open(path("g") + ".compact", storage::open_mode::create);
  REQUIRE(tmp);
  REQUIRE((*tmp)->append(bytes(10, std::byte{1})));
  tmp->reset();
  auto s = open("g");
  CHECK(!fs->exists(path("g") + ".compact"));
  CHECK(s->find(tp("t", 0))->offset == 1);
  auto listed = offset_store::list_groups(*fs, data_dir);
  CHECK(*listed == std::vector<std::string>{"g"});
}

TEST_CASE_FIXTURE(fs_fixture, "group: group commit publishes written commits only after their sync") {
  auto s = open("g");
  auto s1 = s->write_commit(std::vector{oc("t", 0, 10)}, 1);
  REQUIRE(s1);
  CHECK(*s1 == 1);
  CHECK(s->find(tp("t", 0)) == nullptr);  // written, not durable: not visible
  CHECK(s->has_unpublished());
  auto job = s->begin_sync();
  REQUIRE(job);
  CHECK(job->covers == 1);
  CHECK_FALSE(s->begin_sync());  // one job at a time
  // Commits written while the sync runs wait for the next one.
  auto s2 = s->write_commit(std::vector{oc("t", 0, 20)}, 2);
  auto s3 = s->write_commit(std::vector{oc("t", 1, 5)}, 3);
  REQUIRE(s2);
  REQUIRE(s3);
  auto syncs = fs->sync_count();
  REQUIRE(job->file->sync());  // what the syncer thread does
  auto done = s->end_sync(*job, {});
  CHECK(done.first == 1);
  CHECK(done.last == 1);
  REQUIRE(s->find(tp("t", 0)));
  CHECK(s->find(tp("t", 0))->offset == 10);
  CHECK(s->find(tp("t", 1)) == nullptr);
  // One sync covers both later commits.
  auto job2 = s->begin_sync();
  REQUIRE(job2);
  CHECK(job2->covers == 3);
  REQUIRE(job2->file->sync());
  done = s->end_sync(*job2, {});
  CHECK(done.first == 2);
  CHECK(done.last == 3);
  CHECK(fs->sync_count() == syncs + 2);
  CHECK(s->find(tp("t", 0))->offset == 20);
  CHECK(s->find(tp("t", 1))->offset == 5);
  CHECK_FALSE(s->has_unpublished());
  CHECK_FALSE(s->begin_sync());
  s.reset();
  fs->crash();
  auto again = open("g");
  CHECK(again->find(tp("t", 0))->offset == 20);
  CHECK(again->find(tp("t", 1))->offset == 5);
}

TEST_CASE_FIXTURE(fs_fixture, "group: a failed group sync fails every unpublished commit and cuts them") {
  auto s = open("g");
  REQUIRE(s->commit(std::vector{oc("t", 0, 1)}, 1));
  const auto durable = s->file_bytes();
  REQUIRE(s->write_commit(std::vector{oc("t", 0, 2)}, 2));
  auto job = s->begin_sync();
  REQUIRE(job);
  REQUIRE(s->write_commit(std::vector{oc("t", 0, 3)}, 3));  // not covered by the job
  fs->fail_next_sync(errc::io_error);
  auto outcome = job->file->sync();
  REQUIRE_FALSE(outcome);
  auto done = s->end_sync(*job, outcome);
  CHECK(done.first == 1);  // commit() takes no sequence number: the two writes are 1 and 2
  CHECK(done.last == 2);   // the uncovered one fails too: it sits behind the failed bytes
  CHECK(s->find(tp("t", 0))->offset == 1);
  CHECK(s->file_bytes() == durable);
  CHECK(*fs->file_size(path("g")) == durable);
  CHECK_FALSE(s->has_unpublished());
  // The store keeps working, and a reopen sees only what was acknowledged.
  REQUIRE(s->commit(std::vector{oc("t", 0, 4)}, 4));
  s.reset();
  auto again = open("g");
  CHECK(again->find(tp("t", 0))->offset == 4);
  CHECK(again->recovery().problems.empty());
}

TEST_CASE_FIXTURE(fs_fixture, "group: removing a topic also drops its commits awaiting a sync") {
  auto s = open("g");
  REQUIRE(s->write_commit(std::vector{oc("gone", 0, 7), oc("kept", 0, 8)}, 1));
  auto job = s->begin_sync();
  REQUIRE(job);
  auto removed = s->remove_topic("gone");
  REQUIRE(removed);
  REQUIRE(job->file->sync());
  (void)s->end_sync(*job, {});
  CHECK(s->find(tp("gone", 0)) == nullptr);
  REQUIRE(s->find(tp("kept", 0)));
  s.reset();
  auto again = open("g");
  CHECK(again->find(tp("gone", 0)) == nullptr);
  CHECK(again->find(tp("kept", 0))->offset == 8);
}

TEST_CASE_FIXTURE(fs_fixture, "group: removing partitions (OffsetDelete) is durable and exact") {
  {
    auto s = open("g");
    REQUIRE(s->commit(std::vector{oc("t", 0, 1), oc("t", 1, 2), oc("u", 0, 3)}, 1));
    auto removed = s->remove_partitions(std::vector{tp("t", 1), tp("u", 0), tp("u", 0),
                                                    tp("never", 0)});
    REQUIRE(removed);
    CHECK(*removed == 2);
    CHECK(*s->remove_partitions(std::vector{tp("t", 1)}) == 0);  // already gone: no write
  }
  fs->crash();
  auto s = open("g");
  REQUIRE(s->offsets().size() == 1);
  CHECK(s->find(tp("t", 0))->offset == 1);
}

TEST_CASE_FIXTURE(fs_fixture, "group: removing the file (DeleteGroups) forgets the group") {
  {
    auto s = open("doomed");
    REQUIRE(s->commit(std::vector{oc("t", 0, 5)}, 1));
    REQUIRE(s->remove_file());
    CHECK(s->offsets().empty());
  }
  fs->crash();
  auto listed = offset_store::list_groups(*fs, data_dir);
  REQUIRE(listed);
  CHECK(listed->empty());
  auto s = open("doomed");
  CHECK(s->offsets().empty());
  // A later commit starts a new file that reads back alone.
  REQUIRE(s->commit(std::vector{oc("t", 0, 9)}, 2));
  s.reset();
  CHECK(open("doomed")->find(tp("t", 0))->offset == 9);
}

TEST_CASE_FIXTURE(fs_fixture, "group: removing the file is refused while commits await a sync") {
  auto s = open("g");
  REQUIRE(s->write_commit(std::vector{oc("t", 0, 7)}, 1));
  CHECK(s->remove_file().code() == errc::invalid_argument);
}
