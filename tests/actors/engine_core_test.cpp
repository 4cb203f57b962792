// The embedded engine: compressed batches reach the consumer decoded, linger_ms = 0 batching
// under load, results dereferenced as temporaries, stop hooks at close, and offset syncs off
// the CAF workers with group commit. Real engines on temporary directories.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>

#include "engine_impl.hpp"
#include "framework/compression_samples.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/model/record_batch.hpp"
#include "lkstream/producer.hpp"
#include "lkstream/storage/memory_file_system.hpp"
#include "actors/engine_harness.hpp"
#include "test_util.hpp"

using namespace lkstream;
using test::open_engine;
using namespace std::chrono_literals;

namespace {

class promise_sink final : public actors::append_sink {
 public:
  void on_appended(const actors::append_outcome& o) override { p.set_value(o); }
  std::promise<actors::append_outcome> p;
};

// Appends a raw batch to a partition as the Kafka listener does (validated).
actors::append_outcome append_raw(engine& eng, const std::string& topic, const bytes& batch) {
  auto h = engine_access::of(eng).board->find(topic);
  REQUIRE(h);
  auto sink = std::make_shared<promise_sink>();
  auto fut = sink->p.get_future();
  caf::anon_send(h->partitions[0], actors::append_atom::value,
                 actors::append_batch::copy_of(batch), actors::append_sink_ptr(sink), true);
  REQUIRE(fut.wait_for(30s) == std::future_status::ready);
  return fut.get();
}

// Values in a batch of `n` records compress well, and each names its record.
bytes sample_batch(int n, int first) {
  bytes out;
  model::batch_builder b(out);
  for (int i = 0; i < n; ++i) {
    std::string k = "k" + std::to_string(first + i);
    std::string v = "value " + std::to_string(first + i) + " " + std::string(200, 'z');
    b.append(5000 + i, as_bytes(k), as_bytes(v));
  }
  b.finish();
  return out;
}

}  // namespace

TEST_CASE("engine: dereferencing a temporary poll() result keeps its records alive") {
  static_assert(std::is_same_v<decltype(*std::declval<result<record_set>>()), record_set>,
                "an rvalue result hands out its value, not a reference into the temporary");
  static_assert(std::is_same_v<decltype(*std::declval<result<record_set>&>()), record_set&>);
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 1));
  {
    auto prod = eng->make_producer();
    for (int i = 0; i < 50; ++i) {
      std::string v = "payload-" + std::to_string(i) + std::string(100, 'p');
      REQUIRE(prod->send({.topic = "t", .value = as_bytes(v)}));
    }
    REQUIRE(prod->flush(30s));
  }
  auto c = eng->make_consumer({.auto_offset_reset = offset_reset::earliest});
  REQUIRE(c);
  REQUIRE((*c)->assign({{"t", partition_id{0}}}));
  int seen = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (seen < 50 && std::chrono::steady_clock::now() < deadline) {
    for (auto& r : *(*c)->poll(100ms)) {  // the record_set must live for the whole loop
      std::string expect = "payload-" + std::to_string(seen) + std::string(100, 'p');
      CHECK(as_string_view(*r.value) == expect);
      ++seen;
    }
  }
  CHECK(seen == 50);
}

TEST_CASE("engine: the consumer decodes gzip, snappy, lz4 and zstd batches as sent by clients") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("zipped", 1));
  const int per_batch = 40;
  int next = 0;
  for (const auto& s : test_codecs::samples) {
    bytes plain = sample_batch(per_batch, next);
    bytes batch = test_codecs::with_body(plain, s.codec,
                                         s.compress(bytes_view(plain).subspan(model::batch_header_size)));
    auto out = append_raw(*eng, "zipped", batch);
    REQUIRE_MESSAGE(out.code == errc::ok, s.name << ": " << out.message);
    next += per_batch;
  }
  const int total = next;
  // Small polls, so compressed batches are consumed across several polls.
  auto c = eng->make_consumer({.auto_offset_reset = offset_reset::earliest, .max_poll_records = 7});
  REQUIRE(c);
  REQUIRE((*c)->assign({{"zipped", partition_id{0}}}));
  std::vector<record_set> keep;  // views of earlier polls stay valid while their sets live
  std::vector<const consumed_record*> got;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (static_cast<int>(got.size()) < total && std::chrono::steady_clock::now() < deadline) {
    auto rs = (*c)->poll(100ms);
    REQUIRE_MESSAGE(rs, (rs ? "" : rs.err().to_string()));
    CHECK(rs->size() <= 7);
    keep.push_back(std::move(*rs));
    for (auto& r : keep.back()) got.push_back(&r);
  }
  REQUIRE(static_cast<int>(got.size()) == total);
  for (int i = 0; i < total; ++i) {
    CAPTURE(i);
    CHECK(got[static_cast<size_t>(i)]->offset == i);
    CHECK(as_string_view(*got[static_cast<size_t>(i)]->key) == "k" + std::to_string(i));
    CHECK(as_string_view(*got[static_cast<size_t>(i)]->value) ==
          "value " + std::to_string(i) + " " + std::string(200, 'z'));
  }
}

TEST_CASE("engine: a corrupt compressed batch makes poll() fail with a clear error") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("bad", 1));
  bytes plain = sample_batch(10, 0);
  auto body = test_codecs::zstd_frame(bytes_view(plain).subspan(model::batch_header_size));
  body.resize(body.size() / 2);  // a client bug: the CRC is right, the blob is cut
  auto out = append_raw(*eng, "bad", test_codecs::with_body(plain, model::compression::zstd, body));
  REQUIRE(out.code == errc::ok);
  auto c = eng->make_consumer({.auto_offset_reset = offset_reset::earliest});
  REQUIRE(c);
  REQUIRE((*c)->assign({{"bad", partition_id{0}}}));
  std::optional<error> failure;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!failure && std::chrono::steady_clock::now() < deadline) {
    auto rs = (*c)->poll(100ms);
    if (!rs) failure = rs.err();
    else CHECK(rs->empty());
  }
  REQUIRE(failure);
  CHECK(failure->code == errc::corrupt_batch);
  CHECK(failure->message.find("bad-0") != std::string::npos);
  CHECK(failure->message.find("zstd") != std::string::npos);
}

TEST_CASE("engine: linger_ms 0 sends at once when idle and batches while a send is in flight") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 1));
  auto prod = eng->make_producer({.linger_ms = 0});
  // Idle: one record is acknowledged without any flush() or linger timer.
  auto first = prod->send_future({.topic = "t", .value = as_bytes("alone")});
  REQUIRE(first.wait_for(30s) == std::future_status::ready);
  CHECK(first.get().offset == 0);
  // A burst: records queue up behind the batch in flight and leave together, in order.
  const int n = 20000;
  std::vector<int64_t> offsets(n, -1);
  for (int i = 0; i < n; ++i) {
    std::string v = "r" + std::to_string(i);
    REQUIRE(prod->send({.topic = "t", .value = as_bytes(v)},
                       [&offsets, i](const delivery_report& r) { offsets[static_cast<size_t>(i)] = r.offset; }));
  }
  REQUIRE(prod->flush(60s));
  for (int i = 0; i < n; ++i) REQUIRE(offsets[static_cast<size_t>(i)] == i + 1);
  // Count the batches the log holds: far fewer than records.
  auto log = std::filesystem::path(dir.sub("t-0")) / "00000000000000000000.log";
  std::ifstream in(log, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  const bytes data(reinterpret_cast<const std::byte*>(text.data()),
                   reinterpret_cast<const std::byte*>(text.data()) + text.size());
  size_t batches = 0;
  for (bytes_view rest = data; rest.size() >= model::batch_header_size; ++batches) {
    auto h = model::read_header(rest);
    REQUIRE(h);
    rest = rest.subspan(h->size_bytes());
  }
  MESSAGE((n + 1) << " records in " << batches << " batches");
  CHECK(batches >= 2);
  CHECK(batches < static_cast<size_t>(n) / 4);
}

TEST_CASE("engine: close() stops components still registered, while the engine still works") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 1));
  auto& in = engine_access::of(*eng);
  std::vector<std::string> order;
  bool worked_inside = false;
  auto prod = eng->make_producer();
  in.add_stop_hook([&] { order.push_back("older"); });
  auto removed = in.add_stop_hook([&] { order.push_back("removed"); });
  in.add_stop_hook([&] {
    order.push_back("newer");
    // The engine is not closed yet: a component can still flush its records.
    auto f = prod->send_future({.topic = "t", .value = as_bytes("last words")});
    worked_inside = f.wait_for(30s) == std::future_status::ready && f.get().code == errc::ok;
  });
  in.remove_stop_hook(removed);
  REQUIRE(eng->close());
  CHECK(order == std::vector<std::string>{"newer", "older"});
  CHECK(worked_inside);
  CHECK(in.add_stop_hook([] {}) == 0);  // closed: nothing registers any more
  CHECK(eng->close());                  // idempotent, hooks do not run twice
  CHECK(order.size() == 2);
  prod.reset();
}

TEST_CASE("engine: close() on another thread returns while the threads that made calls live on") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  // This thread makes blocking calls (a request to the registry, a partition, the group
  // manager) and stays alive; CAF 0.17 would leave it holding the actor system's logger, on
  // which the actor system's destructor waits.
  REQUIRE(eng->create_topic("t", 1));
  REQUIRE(eng->describe_topic("t"));
  auto c = std::move(*eng->make_consumer(test::group_member("g")));
  REQUIRE(c->assign({{"t", partition_id{0}}}));
  REQUIRE(c->close());
  auto closed = std::async(std::launch::async, [&] { return eng->close(); });
  REQUIRE(closed.wait_for(30s) == std::future_status::ready);
  CHECK(closed.get());
}

namespace {

// A file system whose consumer-offset files block in sync() while the gate is closed, and
// count their syncs. Everything else goes to a memory file system.
class gated_fs final : public storage::file_system {
 public:
  struct gate {
    std::mutex m;
    std::condition_variable cv;
    bool closed = false;
    int blocked = 0;
    int syncs = 0;
  };

  class gated_file final : public storage::file {
   public:
    gated_file(std::unique_ptr<storage::file> f, std::shared_ptr<gate> g)
        : f_(std::move(f)), g_(std::move(g)) {}
    status append(bytes_view d) override { return f_->append(d); }
    status write_at(uint64_t p, bytes_view d) override { return f_->write_at(p, d); }
    result<size_t> read_at(uint64_t p, mutable_bytes_view o) const override { return f_->read_at(p, o); }
    uint64_t size() const override { return f_->size(); }
    status truncate(uint64_t s) override { return f_->truncate(s); }
    const std::string& path() const override { return f_->path(); }
    status sync() override {
      {
        std::unique_lock<std::mutex> lk(g_->m);
        ++g_->blocked;
        g_->cv.notify_all();
        g_->cv.wait(lk, [&] { return !g_->closed; });
        --g_->blocked;
        ++g_->syncs;
      }
      return f_->sync();
    }

   private:
    std::unique_ptr<storage::file> f_;
    std::shared_ptr<gate> g_;
  };

  std::shared_ptr<storage::memory_file_system> mem = std::make_shared<storage::memory_file_system>();
  std::shared_ptr<gate> g = std::make_shared<gate>();

  result<std::unique_ptr<storage::file>> open(const std::string& path,
                                               storage::open_mode mode) override {
    LK_ASSIGN_OR_RETURN(auto f, mem->open(path, mode));
    if (path.find("__consumer_offsets") == std::string::npos) return f;
    return std::unique_ptr<storage::file>(std::make_unique<gated_file>(std::move(f), g));
  }
  status create_directories(const std::string& p) override { return mem->create_directories(p); }
  result<std::vector<std::string>> list(const std::string& d) override { return mem->list(d); }
  bool exists(const std::string& p) override { return mem->exists(p); }
  bool is_directory(const std::string& p) override { return mem->is_directory(p); }
  status remove_all(const std::string& p) override { return mem->remove_all(p); }
  status rename(const std::string& a, const std::string& b) override { return mem->rename(a, b); }
  status sync_directory(const std::string& d) override { return mem->sync_directory(d); }
  result<std::unique_ptr<storage::file_lock>> lock(const std::string& p) override { return mem->lock(p); }
};

}  // namespace

TEST_CASE("consumer_group: offset syncs run off the CAF workers and concurrent commits share one") {
  auto fs = std::make_shared<gated_fs>();
  auto cfg = config::defaults();
  cfg.broker.data_dir = "/data";
  cfg.broker.worker_threads = 1;  // a sync blocking the only worker would stall everything
  engine_options o;
  o.config = cfg;
  o.fs = fs;
  auto eng = open_engine(std::move(o));
  REQUIRE(eng->create_topic("t", 3));
  std::vector<std::unique_ptr<consumer>> cs;
  for (int i = 0; i < 3; ++i) {
    auto c = eng->make_consumer({.group_id = "g", .enable_auto_commit = false});
    REQUIRE(c);
    REQUIRE((*c)->assign({{"t", partition_id{i}}}));
    REQUIRE((*c)->seek({"t", partition_id{i}}, 10 * (i + 1)));
    cs.push_back(std::move(*c));
  }
  // The first commit creates the file; from then on the gate holds every offset sync.
  REQUIRE(cs[0]->commit_sync(std::map<topic_partition, int64_t>{{{"t", partition_id{0}}, 1}}));
  const std::string offsets_file = "/data/__consumer_offsets/g.log";
  const auto size_before = fs->mem->file_size(offsets_file).value_or(0);
  REQUIRE(size_before > 0);
  {
    std::lock_guard<std::mutex> lk(fs->g->m);
    fs->g->closed = true;
    fs->g->syncs = 0;
  }
  std::mutex m;
  std::condition_variable cv;
  std::vector<status> results;
  auto on_done = [&](const status& st) {
    std::lock_guard<std::mutex> lk(m);
    results.push_back(st);
    cv.notify_all();
  };
  cs[0]->commit_async(on_done);
  {
    std::unique_lock<std::mutex> lk(fs->g->m);
    REQUIRE(fs->g->cv.wait_for(lk, 30s, [&] { return fs->g->blocked == 1; }));
  }
  // The record is written before its sync starts; all three commits have the same size.
  const auto record = fs->mem->file_size(offsets_file).value_or(0) - size_before;
  REQUIRE(record > 0);
  // While that sync hangs, the single worker still serves the engine...
  auto d = eng->describe_topic("t");
  REQUIRE(d);
  CHECK(d->partitions.size() == 3);
  // ...and takes more commits, which are written and wait for a sync of their own.
  cs[1]->commit_async(on_done);
  cs[2]->commit_async(on_done);
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (fs->mem->file_size(offsets_file).value_or(0) < size_before + 3 * record &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  REQUIRE(fs->mem->file_size(offsets_file).value_or(0) == size_before + 3 * record);
  {
    std::lock_guard<std::mutex> lk(m);
    CHECK(results.empty());  // nothing acknowledged before its sync
  }
  {
    std::lock_guard<std::mutex> lk(fs->g->m);
    fs->g->closed = false;
    fs->g->cv.notify_all();
  }
  {
    std::unique_lock<std::mutex> lk(m);
    REQUIRE(cv.wait_for(lk, 30s, [&] { return results.size() == 3; }));
    for (auto& st : results) CHECK_MESSAGE(st, (st ? "" : st.err().to_string()));
  }
  {
    std::lock_guard<std::mutex> lk(fs->g->m);
    CHECK(fs->g->syncs == 2);  // the first commit's sync, then one for the other two
  }
  for (int i = 0; i < 3; ++i) {
    auto c = cs[static_cast<size_t>(i)]->committed({"t", partition_id{i}});
    REQUIRE(c);
    CHECK(*c == 10 * (i + 1));
  }
  cs.clear();
  REQUIRE(eng->close());
}

TEST_CASE("engine: unkeyed records stick to one partition per batch, keyed ones follow murmur2") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 4));
  // A long linger and a large batch: the 100 unkeyed records form one batch, on one partition.
  auto prod = eng->make_producer({.linger_ms = 60000});
  std::vector<producer_record> recs;
  std::vector<std::string> values;
  for (int i = 0; i < 100; ++i) values.push_back("v" + std::to_string(i));
  for (auto& v : values) recs.push_back({.topic = "t", .value = as_bytes(v)});
  std::mutex m;
  std::set<int32_t> partitions;
  int acked = 0;
  REQUIRE(prod->send_batch(recs, [&](const delivery_report& r) {
    std::lock_guard<std::mutex> g(m);
    if (r.code == errc::ok) ++acked;
    partitions.insert(r.partition);
  }));
  REQUIRE(prod->flush(30s));
  CHECK(acked == 100);
  CHECK(partitions.size() == 1);
  // send_batch stops at the first bad record and says which.
  std::vector<producer_record> bad{{.topic = "t", .value = as_bytes("ok")},
                                   {.topic = "t", .value = as_bytes("x"), .partition = 9}};
  auto st = prod->send_batch(bad);
  CHECK(st.code() == errc::invalid_argument);
  CHECK(st.err().message.find("record 1: ") == 0);
  REQUIRE(prod->flush(30s));
}

TEST_CASE("engine: producers are safe to share between application threads") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 3));
  auto prod = eng->make_producer({.linger_ms = 1});
  std::atomic<int> acked{0};
  std::vector<std::thread> threads;
  const int per_thread = 5000;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        std::string k = "t" + std::to_string(t) + "-" + std::to_string(i % 10);
        std::string v = std::to_string(t) + ":" + std::to_string(i);
        auto st = prod->send({.topic = "t", .key = as_bytes(k), .value = as_bytes(v)},
                             [&](const delivery_report& r) {
                               if (r.code == errc::ok) ++acked;
                             });
        if (!st) FAIL_CHECK(st.err().to_string());
      }
    });
  for (auto& th : threads) th.join();
  REQUIRE(prod->flush(60s));
  CHECK(acked == 4 * per_thread);
  // Every record is there once, and each thread's records of a key are in send order.
  auto c = eng->make_consumer({.auto_offset_reset = offset_reset::earliest});
  REQUIRE(c);
  REQUIRE((*c)->assign({{"t", partition_id{0}}, {"t", partition_id{1}}, {"t", partition_id{2}}}));
  std::map<std::string, int> last_of_key;
  int total = 0;
  bool ordered = true;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (total < 4 * per_thread && std::chrono::steady_clock::now() < deadline) {
    for (auto& r : *(*c)->poll(100ms)) {
      auto v = std::string(as_string_view(*r.value));
      int i = std::stoi(v.substr(v.find(':') + 1));
      auto& last = last_of_key.try_emplace(std::string(as_string_view(*r.key)), -1).first->second;
      ordered &= i > last;
      last = i;
      ++total;
    }
  }
  CHECK(total == 4 * per_thread);
  CHECK(ordered);
}

TEST_CASE("consumer_group: auto-commit stores positions on its interval and at close") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 1));
  {
    auto prod = eng->make_producer();
    for (int i = 0; i < 20; ++i) REQUIRE(prod->send({.topic = "t", .value = as_bytes("x")}));
    REQUIRE(prod->flush(30s));
  }
  const topic_partition tp{"t", partition_id{0}};
  {
    auto c = eng->make_consumer({.group_id = "auto",
                                 .auto_offset_reset = offset_reset::earliest,
                                 .enable_auto_commit = true,
                                 .auto_commit_interval_ms = 50,
                                 .max_poll_records = 5});
    REQUIRE(c);
    REQUIRE((*c)->assign({tp}));
    // Poll until 5 records came back, then keep polling past the interval: the positions of
    // the earlier polls get committed by a later poll, without any commit call.
    int got = 0;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (got < 5 && std::chrono::steady_clock::now() < deadline) got += static_cast<int>((*c)->poll(100ms)->size());
    REQUIRE(got == 5);
    int64_t committed = -1;
    while (committed < 5 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(60ms);  // past the auto-commit interval
      // A poll with no new records wanted: max 5 more may come, the position moves with them.
      got += static_cast<int>((*c)->poll(1ms)->size());
      auto cm = (*c)->committed(tp);
      REQUIRE(cm);
      committed = *cm;
    }
    CHECK(committed >= 5);
    while (got < 20 && std::chrono::steady_clock::now() < deadline) got += static_cast<int>((*c)->poll(100ms)->size());
    REQUIRE(got == 20);
    REQUIRE((*c)->close());  // commits the final positions
  }
  auto again = eng->make_consumer({.group_id = "auto", .enable_auto_commit = false});
  REQUIRE(again);
  auto cm = (*again)->committed(tp);
  REQUIRE(cm);
  CHECK(*cm == 20);
}
