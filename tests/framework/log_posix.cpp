// The log on the real file system: round trip, reopen, torn tail and retention on disk.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include "framework/log_test_support.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

namespace {

std::unique_ptr<log> open_log(const std::string& dir, log_config cfg = {}) {
  auto r = log::open(make_posix_file_system(), dir, cfg, 0);
  REQUIRE_MESSAGE(r, r.err().to_string());
  return std::move(*r);
}

bytes read_everything(const log& lg) {
  read_config rc;
  rc.start = lg.start_offset();
  rc.max_bytes = SIZE_MAX;
  auto r = lg.read(rc);
  REQUIRE(r);
  return bytes(r->data.begin(), r->data.end());
}

}  // namespace

TEST_CASE("log: on disk, batches survive close and reopen across segments") {
  temp_dir tmp;
  const std::string dir = join_path(tmp.path, partition_dir_name("ticks", partition_id{0}));
  log_config cfg;
  cfg.segment_bytes = 4096;
  cfg.index_interval_bytes = 512;
  bytes expected;
  {
    auto lg = open_log(dir, cfg);
    for (int i = 0; i < 300; ++i) {
      bytes b = make_batch(1 + i % 5, i, 20);
      REQUIRE(lg->append(b, 0));
      expected.insert(expected.end(), b.begin(), b.end());
    }
    REQUIRE(lg->sync());
    REQUIRE(lg->close());
  }
  auto lg = open_log(dir, cfg);
  CHECK(lg->recovery().rebuilt_indexes == 0);
  CHECK(lg->recovery().truncated_bytes == 0);
  CHECK(lg->segments().size() > 5);
  CHECK(read_everything(*lg) == expected);
  auto names = make_posix_file_system()->list(dir);
  REQUIRE(names);
  CHECK(names->front() == "00000000000000000000.index");
  CHECK(names->size() == 3 * lg->segments().size());
  // Index files are exactly entry-sized.
  for (const auto& s : lg->segments()) {
    const std::string index = join_path(dir, segment_file_prefix(s.base_offset) + ".index");
    auto f = make_posix_file_system()->open(index, open_mode::read_only);
    REQUIRE(f);
    CHECK((*f)->size() % 8 == 0);
    CHECK((*f)->size() < 4096 / 512 * 8 + 8);
  }
}

TEST_CASE("log: on disk, a torn tail is truncated at open") {
  temp_dir tmp;
  const std::string dir = join_path(tmp.path, "t-0");
  uint64_t good = 0;
  {
    auto lg = open_log(dir);
    for (int i = 0; i < 10; ++i) {
      bytes b = make_batch(2, i);
      REQUIRE(lg->append(b, 0));
    }
    good = lg->size_bytes();
    REQUIRE(lg->close());
  }
  // Half a batch written by a process that died.
  const std::string path = join_path(dir, "00000000000000000000.log");
  bytes half = make_batch(4, 99);
  half.resize(half.size() / 2);
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, half.data(), half.size()) == static_cast<ssize_t>(half.size()));
  ::close(fd);
  auto lg = open_log(dir);
  CHECK(lg->recovery().truncated_bytes == half.size());
  CHECK(lg->size_bytes() == good);
  CHECK(lg->end_offset() == offset{20});
  bytes b = make_batch(1, 100);
  CHECK(lg->append(b, 0)->base_offset == offset{20});
}

TEST_CASE("log: on disk, retention removes segment files and remove() the directory") {
  temp_dir tmp;
  const std::string dir = join_path(tmp.path, "t-1");
  log_config cfg;
  cfg.segment_bytes = 500;
  cfg.retention_bytes = 1000;
  cfg.retention_ms = -1;
  auto lg = open_log(dir, cfg);
  for (int i = 0; i < 40; ++i) {
    bytes b = make_batch(1, i);
    REQUIRE(lg->append(b, 0));
  }
  const size_t before = lg->segments().size();
  auto removed = lg->apply_retention(0);
  REQUIRE(removed);
  CHECK(*removed > 0);
  CHECK(lg->segments().size() == before - *removed);
  CHECK(lg->size_bytes() <= 1000);
  CHECK_FALSE(make_posix_file_system()->exists(join_path(dir, "00000000000000000000.log")));
  CHECK(make_posix_file_system()->list(dir)->size() == 3 * lg->segments().size());
  REQUIRE(lg->remove());
  CHECK_FALSE(make_posix_file_system()->exists(dir));
}
