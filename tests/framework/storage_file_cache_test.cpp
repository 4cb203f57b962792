// The descriptor budget (file_cache.hpp): logs on a file_cache over the fault-injecting memory
// file system and over the real one. What is checked is what the file system below sees: how
// many of its files are open at once, and that every byte written reads back.

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "framework/log_test_support.hpp"
#include "lkstream/process/open_files.hpp"
#include "lkstream/storage/file_cache.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

namespace {

struct manual_clock {
  std::shared_ptr<std::atomic<int64_t>> ms = std::make_shared<std::atomic<int64_t>>(1'000'000);
  std::function<int64_t()> fn() const {
    return [t = ms] { return t->load(); };
  }
};

std::shared_ptr<file_cache> make_cache(std::shared_ptr<file_system> below, uint64_t max_open,
                                       const manual_clock* clock = nullptr) {
  file_cache_options o;
  o.max_open_files = max_open;
  if (clock) o.now_ms = clock->fn();
  auto c = file_cache::make(std::move(below), std::move(o));
  REQUIRE_MESSAGE(c, c.err().to_string());
  return *c;
}

std::unique_ptr<log> open_log(std::shared_ptr<file_system> fs, const std::string& dir,
                              log_config cfg = {}) {
  auto r = log::open(std::move(fs), dir, cfg, 0);
  REQUIRE_MESSAGE(r, r.err().to_string());
  return std::move(*r);
}

bytes read_all_bytes(const log& lg) {
  read_config rc;
  rc.start = lg.start_offset();
  rc.max_bytes = SIZE_MAX;
  auto r = lg.read(rc);
  REQUIRE_MESSAGE(r, r.err().to_string());
  return bytes(r->data.begin(), r->data.end());
}

}  // namespace

TEST_CASE("file cache: rejects a budget of zero and a non-positive idle time") {
  auto mem = std::make_shared<memory_file_system>();
  file_cache_options o;
  o.max_open_files = 0;
  CHECK(file_cache::make(mem, o).code() == errc::invalid_argument);
  o.max_open_files = 4;
  o.idle_close_ms = 0;
  CHECK(file_cache::make(mem, o).code() == errc::invalid_argument);
  CHECK(file_cache::make(nullptr, file_cache_options{}).code() == errc::invalid_argument);
}

TEST_CASE("file cache: 40 logs with several segments each stay within 6 open files, and every "
          "byte reads back") {
  auto mem = std::make_shared<memory_file_system>();
  auto cache = make_cache(mem, 6);
  log_config cfg;
  cfg.segment_bytes = 2048;
  cfg.index_interval_bytes = 256;
  std::vector<std::unique_ptr<log>> logs;
  std::vector<bytes> written(40);
  uint64_t most_open = 0;
  for (int i = 0; i < 40; ++i) {
    logs.push_back(open_log(cache, "/data/t-" + std::to_string(i), cfg));
    most_open = std::max(most_open, mem->open_handles());
  }
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < 40; ++i) {
      bytes b = make_batch(3, 1000 + round, 200);
      auto r = logs[static_cast<size_t>(i)]->append(b, 0);
      REQUIRE_MESSAGE(r, r.err().to_string());
      written[static_cast<size_t>(i)].insert(written[static_cast<size_t>(i)].end(), b.begin(),
                                             b.end());
      most_open = std::max(most_open, mem->open_handles());
    }
  }
  for (int i = 0; i < 40; ++i) {
    CHECK(logs[static_cast<size_t>(i)]->segments().size() > 1);
    CHECK(read_all_bytes(*logs[static_cast<size_t>(i)]) == written[static_cast<size_t>(i)]);
    REQUIRE(logs[static_cast<size_t>(i)]->sync());
    most_open = std::max(most_open, mem->open_handles());
  }
  CHECK(most_open <= 6);
  auto s = cache->stats();
  CHECK(s.open_descriptors <= 6);
  CHECK(s.open_descriptors == mem->open_handles());
  CHECK(s.evictions > 0);
  CHECK(s.reopens > 0);
  CHECK(s.over_budget == 0);

  // Closed and reopened through the cache: recovery reads every segment within the budget too.
  for (auto& lg : logs) REQUIRE(lg->close());
  logs.clear();
  CHECK(mem->open_handles() == 0);
  for (int i = 0; i < 40; ++i) {
    auto lg = open_log(cache, "/data/t-" + std::to_string(i), cfg);
    CHECK(read_all_bytes(*lg) == written[static_cast<size_t>(i)]);
    CHECK(mem->open_handles() <= 6);
    logs.push_back(std::move(lg));
  }
}

TEST_CASE("file cache: a log being written holds one descriptor (index files are opened only "
          "to be written)") {
  auto mem = std::make_shared<memory_file_system>();
  auto cache = make_cache(mem, 100);
  log_config cfg;
  cfg.index_interval_bytes = 64;  // an index entry per batch
  auto lg = open_log(cache, "/data/t-0", cfg);
  CHECK(mem->open_handles() == 1);
  for (int i = 0; i < 600; ++i) {  // past sparse_index::flush_threshold entries: flushed
    bytes b = make_batch(1, 1000 + i, 100);
    REQUIRE(lg->append(b, 0));
  }
  REQUIRE(lg->sync());
  CHECK(mem->open_handles() == 1);
  CHECK(mem->file_size("/data/t-0/" + segment_file_prefix(offset{0}) + ".index").value_or(0) > 0);
}

TEST_CASE("file cache: descriptors idle for a minute are closed, and the files work after") {
  auto mem = std::make_shared<memory_file_system>();
  manual_clock clock;
  auto cache = make_cache(mem, 100, &clock);
  auto a = open_log(cache, "/data/a-0");
  auto b = open_log(cache, "/data/b-0");
  bytes ba = make_batch(2, 1, 50), bb = make_batch(4, 1, 50);
  REQUIRE(a->append(ba, 0));
  REQUIRE(b->append(bb, 0));
  CHECK(mem->open_handles() == 2);
  clock.ms->fetch_add(30'000);
  CHECK(cache->close_idle() == 0);
  REQUIRE(a->append(ba, 0));  // a is used again: only b is idle a minute later
  clock.ms->fetch_add(40'000);
  CHECK(cache->close_idle() == 1);
  CHECK(mem->open_handles() == 1);
  clock.ms->fetch_add(60'000);
  CHECK(cache->close_idle() == 1);
  CHECK(mem->open_handles() == 0);
  CHECK(cache->stats().idle_closes == 2);
  CHECK(read_all_bytes(*b) == bb);
  REQUIRE(b->append(bb, 0));
  CHECK(b->end_offset() == offset{8});
  CHECK(mem->open_handles() == 1);
}

TEST_CASE("file cache: a reopen that fails (descriptors exhausted) fails that operation only; "
          "the log is unchanged and the next append succeeds") {
  auto mem = std::make_shared<memory_file_system>();
  auto cache = make_cache(mem, 1);
  auto a = open_log(cache, "/data/a-0");
  auto b = open_log(cache, "/data/b-0");  // takes the only descriptor: a's .log is closed
  bytes batch = make_batch(2, 1, 50);
  REQUIRE(a->append(batch, 0));
  REQUIRE(b->append(batch, 0));
  mem->fail_next_open(errc::io_error, "/data/a-0/");
  auto r = a->append(batch, 0);
  REQUIRE_FALSE(r);
  CHECK(r.err().message.find("reopening /data/a-0/") != std::string::npos);
  CHECK(r.err().message.find("max_open_files") != std::string::npos);
  CHECK(a->end_offset() == offset{2});
  REQUIRE(a->append(batch, 0));
  CHECK(a->end_offset() == offset{4});
  CHECK(read_all_bytes(*a).size() == 2 * batch.size());
  CHECK(read_all_bytes(*b).size() == batch.size());
  CHECK(b->end_offset() == offset{2});
}

TEST_CASE("file cache: a file replaced while its descriptor was closed is an error, not the "
          "other file's bytes") {
  auto mem = std::make_shared<memory_file_system>();
  auto cache = make_cache(mem, 1);
  REQUIRE(mem->create_directories("/d"));
  auto f = cache->open("/d/x", open_mode::create);
  REQUIRE(f);
  REQUIRE((*f)->append(as_bytes("original")));
  auto g = cache->open("/d/y", open_mode::create);  // closes x's descriptor
  REQUIRE(g);
  REQUIRE((*g)->append(as_bytes("replacement")));
  REQUIRE(cache->rename("/d/y", "/d/x"));
  bytes out(8);
  auto n = (*f)->read_at(0, out);
  REQUIRE_FALSE(n);
  CHECK(n.err().message.find("removed or replaced") != std::string::npos);
  auto h = cache->open("/d/x", open_mode::read_only);  // the new file, opened by its name
  REQUIRE(h);
  bytes all((*h)->size());
  REQUIRE((*h)->read_at(0, all));
  CHECK(as_string_view(all) == "replacement");
}

TEST_CASE("file cache: appends, syncs on another thread and reads of many files at once with a "
          "budget of 3") {
  auto mem = std::make_shared<memory_file_system>();
  auto cache = make_cache(mem, 3);
  REQUIRE(mem->create_directories("/d"));
  constexpr int threads = 4, files_per_thread = 5, rounds = 300;
  std::atomic<bool> failed{false};
  std::atomic<uint64_t> most_open{0};
  std::vector<std::thread> workers;
  // One file shared by a writer and a syncing thread (the log's sync thread pattern).
  auto shared = cache->open("/d/shared", open_mode::create);
  REQUIRE(shared);
  std::atomic<bool> writing{true};
  std::thread syncer([&] {
    while (writing)
      if (!(*shared)->sync()) failed = true;
  });
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<std::unique_ptr<file>> files;
      for (int i = 0; i < files_per_thread; ++i) {
        auto f = cache->open("/d/f" + std::to_string(t) + "-" + std::to_string(i),
                             open_mode::create_truncate);
        if (!f) { failed = true; return; }
        files.push_back(std::move(*f));
      }
      for (int r = 0; r < rounds; ++r) {
        for (auto& f : files) {
          const std::string line = std::to_string(r) + ";";
          if (!f->append(as_bytes(line))) failed = true;
          if (t == 0 && !(*shared)->append(as_bytes(line))) failed = true;
          uint64_t now = mem->open_handles(), seen = most_open.load();
          while (now > seen && !most_open.compare_exchange_weak(seen, now)) {}
        }
      }
      for (auto& f : files) {
        bytes all(f->size());
        auto n = f->read_at(0, all);
        std::string expected;
        for (int r = 0; r < rounds; ++r) expected += std::to_string(r) + ";";
        if (!n || std::string(as_string_view(all)) != expected) failed = true;
      }
    });
  }
  for (auto& w : workers) w.join();
  writing = false;
  syncer.join();
  CHECK_FALSE(failed);
  // Over the budget only while every open descriptor was in use: at most one per thread.
  CHECK(most_open <= 3 + threads + 1);
  CHECK((*shared)->size() == [] {
    uint64_t n = 0;
    for (int r = 0; r < rounds; ++r) n += std::to_string(r).size() + 1;
    return n * files_per_thread;
  }());
}

TEST_CASE("file cache: on the real file system the process holds at most the budget") {
  temp_dir tmp;
  auto cache = make_cache(make_posix_file_system(), 4);
  const uint64_t before = process::count_open_files();
  std::vector<std::unique_ptr<file>> files;
  for (int i = 0; i < 32; ++i) {
    auto f = cache->open(join_path(tmp.path, "f" + std::to_string(i)), open_mode::create);
    REQUIRE_MESSAGE(f, f.err().to_string());
    REQUIRE((*f)->append(as_bytes("file " + std::to_string(i))));
    files.push_back(std::move(*f));
    CHECK(process::count_open_files() <= before + 4);
  }
  for (int i = 0; i < 32; ++i) {
    const std::string expected = "file " + std::to_string(i);
    bytes out(expected.size());
    auto n = files[static_cast<size_t>(i)]->read_at(0, out);
    REQUIRE_MESSAGE(n, n.err().to_string());
    CHECK(std::string(as_string_view(out)) == expected);
    REQUIRE(files[static_cast<size_t>(i)]->sync());
  }
  CHECK(process::count_open_files() <= before + 4);
  files.clear();
  CHECK(process::count_open_files() <= before);
}
