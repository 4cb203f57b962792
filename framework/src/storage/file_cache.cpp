#include "lkstream/storage/file_cache.hpp"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace lkstream::storage {

namespace {

int64_t coarse_monotonic_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// One file handed out. `below` is its descriptor in the file system below, or null while
// closed; `pins` counts operations running on it. Both are guarded by `m`.
struct entry {
  std::mutex m;
  std::unique_ptr<file> below;
  uint32_t pins = 0;
  std::atomic<int64_t> last_use{0};
  std::atomic<uint64_t> size{0};  // the file's size after its last operation
  std::string path;
  open_mode reopen_mode = open_mode::read_write;
  file_identity identity;
};

}  // namespace

struct file_cache::state {
  std::shared_ptr<file_system> below;
  file_cache_options opts;

  mutable std::mutex m;                // guards `open` and the counters below
  std::unordered_set<entry*> open;     // entries whose descriptor is open
  std::vector<entry*> victims;         // scratch of make_room
  uint64_t files = 0, opens = 0, reopens = 0, evictions = 0, idle_closes = 0, over_budget = 0;
  std::atomic<int64_t> last_sweep{0};

  int64_t now() const { return opts.now_ms(); }

  // Requires m. Closes descriptors, least recently used first, until one more fits; never one
  // in use or whose entry is busy (its owner holds its mutex: skipped, not waited for, since
  // the caller may hold its own entry's mutex).
  void make_room() {
    if (open.size() < opts.max_open_files) return;
    victims.assign(open.begin(), open.end());
    const size_t target = opts.max_open_files - std::min<uint64_t>(
                                                    opts.max_open_files,
                                                    std::max<uint64_t>(1, opts.max_open_files / 8));
    // Oldest first; only as many as needed are sorted.
    const size_t want = std::min(victims.size(), open.size() - target + 8);
    std::partial_sort(victims.begin(), victims.begin() + static_cast<ptrdiff_t>(want),
                      victims.end(), [](const entry* a, const entry* b) {
                        return a->last_use.load(std::memory_order_relaxed) <
                               b->last_use.load(std::memory_order_relaxed);
                      });
    for (entry* e : victims) {
      if (open.size() <= target) break;
      std::unique_lock<std::mutex> lk(e->m, std::try_to_lock);
      if (!lk || e->pins > 0 || !e->below) continue;
      e->below.reset();
      open.erase(e);
      ++evictions;
    }
    victims.clear();
    if (open.size() >= opts.max_open_files) ++over_budget;
  }

  // Requires m; the entry's mutex is held by the caller.
  void opened(entry& e) {
    open.insert(&e);
    ++opens;
  }

  uint64_t close_idle() {
    const int64_t cutoff = now() - opts.idle_close_ms;
    std::lock_guard<std::mutex> g(m);
    last_sweep.store(now(), std::memory_order_relaxed);
    uint64_t closed = 0;
    for (auto it = open.begin(); it != open.end();) {
      entry* e = *it;
      std::unique_lock<std::mutex> lk(e->m, std::try_to_lock);
      if (lk && e->pins == 0 && e->below && e->last_use.load(std::memory_order_relaxed) <= cutoff) {
        e->below.reset();
        it = open.erase(it);
        ++closed;
      } else {
        ++it;
      }
    }
    idle_closes += closed;
    return closed;
  }

  void maybe_sweep() {
    const int64_t t = now();
    if (t - last_sweep.load(std::memory_order_relaxed) >= opts.idle_close_ms / 4) close_idle();
  }
};

namespace {

class cached_file final : public file {
 public:
  cached_file(std::shared_ptr<file_cache::state> st, std::unique_ptr<entry> e)
      : st_(std::move(st)), e_(std::move(e)) {}

  ~cached_file() override {
    std::lock_guard<std::mutex> lk(e_->m);
    std::lock_guard<std::mutex> g(st_->m);
    if (e_->below) st_->open.erase(e_.get());
    --st_->files;
    // e_->below closes with e_ after the locks are released.
  }

  status append(bytes_view data) override {
    return with_file([&](file& f) { return f.append(data); });
  }
  status write_at(uint64_t pos, bytes_view data) override {
    return with_file([&](file& f) { return f.write_at(pos, data); });
  }
  result<size_t> read_at(uint64_t pos, mutable_bytes_view out) const override {
    return with_file([&](file& f) { return f.read_at(pos, out); });
  }
  uint64_t size() const override { return e_->size.load(std::memory_order_acquire); }
  status sync() override {
    return with_file([&](file& f) { return f.sync(); });
  }
  status truncate(uint64_t size) override {
    return with_file([&](file& f) { return f.truncate(size); });
  }
  const std::string& path() const override { return e_->path; }
  file_identity identity() const override { return e_->identity; }

  void release_descriptor() noexcept override {
    std::lock_guard<std::mutex> lk(e_->m);
    if (e_->pins > 0 || !e_->below) return;
    std::lock_guard<std::mutex> g(st_->m);
    e_->below.reset();
    st_->open.erase(e_.get());
  }

 private:
  // Runs `op` on the descriptor, reopening it first if it was closed; the descriptor is
  // pinned (not closed by anyone) while `op` runs without any lock held.
  template <class Op>
  auto with_file(Op op) const -> decltype(op(std::declval<file&>())) {
    file* f = nullptr;
    {
      std::lock_guard<std::mutex> lk(e_->m);
      if (!e_->below) {
        if (auto st = reopen(); !st) return std::move(st).take_error();
      }
      ++e_->pins;
      f = e_->below.get();
    }
    e_->last_use.store(st_->now(), std::memory_order_relaxed);
    auto r = op(*f);
    e_->size.store(f->size(), std::memory_order_release);
    std::lock_guard<std::mutex> lk(e_->m);
    --e_->pins;
    return r;
  }

  // Requires e_->m.
  status reopen() const {
    {
      std::lock_guard<std::mutex> g(st_->m);
      st_->make_room();
    }
    auto f = st_->below->open(e_->path, e_->reopen_mode);
    if (!f)
      return error{f.err().code, "reopening " + e_->path + " (its descriptor was closed to stay "
                                 "within broker.max_open_files): " + f.err().message};
    if (e_->identity.known() && (*f)->identity() != e_->identity)
      return error{errc::io_error, "reopening " + e_->path +
                                       ": the file was removed or replaced while its descriptor "
                                       "was closed"};
    e_->below = std::move(*f);
    std::lock_guard<std::mutex> g(st_->m);
    st_->opened(*e_);
    ++st_->reopens;
    return ok();
  }

  std::shared_ptr<file_cache::state> st_;
  std::unique_ptr<entry> e_;
};

}  // namespace

result<std::shared_ptr<file_cache>> file_cache::make(std::shared_ptr<file_system> below,
                                                     file_cache_options options) {
  if (!below) return error{errc::invalid_argument, "file_cache: no file system below"};
  if (options.max_open_files == 0)
    return error{errc::invalid_argument, "max_open_files must be at least 1"};
  if (options.idle_close_ms <= 0)
    return error{errc::invalid_argument, "idle_close_ms must be positive"};
  if (!options.now_ms) options.now_ms = coarse_monotonic_ms;
  return std::shared_ptr<file_cache>(new file_cache(std::move(below), std::move(options)));
}

file_cache::file_cache(std::shared_ptr<file_system> below, file_cache_options options)
    : state_(std::make_shared<state>()) {
  state_->below = std::move(below);
  state_->opts = std::move(options);
  state_->last_sweep = state_->now();
}

file_cache::~file_cache() = default;

result<std::unique_ptr<file>> file_cache::open(const std::string& path, open_mode mode) {
  state_->maybe_sweep();
  {
    std::lock_guard<std::mutex> g(state_->m);
    state_->make_room();
  }
  LK_ASSIGN_OR_RETURN(auto f, state_->below->open(path, mode));
  auto e = std::make_unique<entry>();
  e->path = path;
  e->reopen_mode = mode == open_mode::read_only ? open_mode::read_only : open_mode::read_write;
  e->identity = f->identity();
  e->size.store(f->size(), std::memory_order_relaxed);
  e->last_use.store(state_->now(), std::memory_order_relaxed);
  e->below = std::move(f);
  {
    std::lock_guard<std::mutex> lk(e->m);
    std::lock_guard<std::mutex> g(state_->m);
    state_->opened(*e);
    ++state_->files;
  }
  return std::unique_ptr<file>(std::make_unique<cached_file>(state_, std::move(e)));
}

status file_cache::create_directories(const std::string& path) {
  return state_->below->create_directories(path);
}

result<std::vector<std::string>> file_cache::list(const std::string& dir) {
  return state_->below->list(dir);
}

bool file_cache::exists(const std::string& path) { return state_->below->exists(path); }

bool file_cache::is_directory(const std::string& path) {
  return state_->below->is_directory(path);
}

status file_cache::remove_all(const std::string& path) { return state_->below->remove_all(path); }

status file_cache::rename(const std::string& from, const std::string& to) {
  return state_->below->rename(from, to);
}

status file_cache::sync_directory(const std::string& dir) {
  return state_->below->sync_directory(dir);
}

result<std::unique_ptr<file_lock>> file_cache::lock(const std::string& path) {
  return state_->below->lock(path);
}

uint64_t file_cache::close_idle() { return state_->close_idle(); }

file_cache_stats file_cache::stats() const {
  std::lock_guard<std::mutex> g(state_->m);
  file_cache_stats s;
  s.max_open_files = state_->opts.max_open_files;
  s.open_descriptors = state_->open.size();
  s.files = state_->files;
  s.opens = state_->opens;
  s.reopens = state_->reopens;
  s.evictions = state_->evictions;
  s.idle_closes = state_->idle_closes;
  s.over_budget = state_->over_budget;
  return s;
}

uint64_t file_cache::max_open_files() const noexcept { return state_->opts.max_open_files; }

}  // namespace lkstream::storage
