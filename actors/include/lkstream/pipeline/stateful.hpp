#pragma once
// Stateful keyed operators (windows with aggregate/reduce/count, scan) and the byte layout of
// their snapshots (pipeline_detail; see stage.hpp for the contract).
//
// Exactly-once effect on state: each instance remembers, per (source, partition), the next
// source offset it has applied ("marks", updated at batch boundaries). After a restart the
// source re-reads from the committed offsets, which may be older than the checkpoint; elements
// whose origin offset is below the mark were already applied and are skipped, so no window
// counts a record twice. A checkpoint is written only after every output derived before it is
// durable, so no emitted result is lost either (it may be emitted again: at-least-once output).
//
// Snapshot layout (little-endian, written and read by the same program version):
//   u32 magic "LKPS", u32 version 1, u32 kind (1 window, 2 scan), i64 watermark,
//   u32 mark count, marks (i32 source, i32 partition, i64 next offset),
//   then the kind's body (see window_logic / scan_logic).
// Values of state (accumulators, scan state) are encoded by state_codec<T>: trivially copyable
// types as their bytes, strings length-prefixed, std::optional with a flag, others as JSON.

#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <type_traits>

#include "lkstream/pipeline/operators.hpp"
#include "lkstream/pipeline/window.hpp"

namespace lkstream::pipeline_detail {

inline constexpr uint32_t snapshot_magic = 0x53504b4c;  // "LKPS"
inline constexpr uint32_t snapshot_version = 1;

class state_writer {
 public:
  explicit state_writer(bytes& out) : out_(out) {}
  template <class I>
  requires std::is_integral_v<I>
  void num(I v) {
    auto p = reinterpret_cast<const std::byte*>(&v);
    out_.insert(out_.end(), p, p + sizeof v);
  }
  void raw(const void* p, size_t n) {
    auto b = static_cast<const std::byte*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  void str(std::string_view s) {
    num<uint32_t>(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }

 private:
  bytes& out_;
};

/// Reads what state_writer wrote; a short or malformed input sets a sticky error.
class state_reader {
 public:
  explicit state_reader(bytes_view in) : in_(in) {}
  template <class I>
  requires std::is_integral_v<I> I num() {
    I v{};
    raw(&v, sizeof v);
    return v;
  }
  void raw(void* p, size_t n) {
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      std::memset(p, 0, n);
      return;
    }
    std::memcpy(p, in_.data(), n);
    in_ = in_.subspan(n);
  }
  std::string str() {
    auto n = num<uint32_t>();
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      return {};
    }
    std::string s(as_string_view(in_.first(n)));
    in_ = in_.subspan(n);
    return s;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return in_.empty(); }
  void invalidate() { ok_ = false; }

 private:
  bytes_view in_;
  bool ok_ = true;
};

template <class T>
struct state_codec {
  static void write(state_writer& w, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      w.str(v);
    } else if constexpr (std::is_trivially_copyable_v<T>) {
      w.raw(&v, sizeof v);
    } else {
      bytes tmp;
      default_serde<T>().encode(v, tmp);
      w.str(as_string_view(tmp));
    }
  }
  static T read(state_reader& r) {
    if constexpr (std::is_same_v<T, std::string>) {
      return r.str();
    } else if constexpr (std::is_trivially_copyable_v<T>) {
      T v;
      r.raw(&v, sizeof v);
      return v;
    } else {
      auto s = r.str();
      if (!r.ok()) return T{};
      try {
        return default_serde<T>().decode(as_bytes(s));
      } catch (...) {
        r.invalidate();
        return T{};
      }
    }
  }
};

template <class T>
struct state_codec<std::optional<T>> {
  static void write(state_writer& w, const std::optional<T>& v) {
    w.num<uint8_t>(v ? 1 : 0);
    if (v) state_codec<T>::write(w, *v);
  }
  static std::optional<T> read(state_reader& r) {
    if (r.num<uint8_t>() == 0) return std::nullopt;
    return state_codec<T>::read(r);
  }
};

/// Marks and watermark, shared by the keyed stateful logics.
class keyed_state_core {
 protected:
  /// True if the element was already applied before the checkpoint this state came from.
  bool already_applied(const origin& o) const {
    if (o.offset < 0) return false;
    auto it = marks_.find({o.source, o.partition});
    return it != marks_.end() && o.offset < it->second;
  }
  /// Call after a batch: the highest origin offset + 1 per (source, partition).
  template <class T>
  void advance_marks(const std::vector<element<T>>& items) {
    for (auto& e : items) {
      if (e.from.offset < 0) continue;
      auto& m = marks_[{e.from.source, e.from.partition}];
      m = std::max(m, e.from.offset + 1);
    }
  }
  void write_core(state_writer& w, uint32_t kind) const {
    w.num(snapshot_magic);
    w.num(snapshot_version);
    w.num(kind);
    w.num<int64_t>(watermark_);
    w.num<uint32_t>(static_cast<uint32_t>(marks_.size()));
    for (auto& [sp, off] : marks_) {
      w.num<int32_t>(sp.first);
      w.num<int32_t>(sp.second);
      w.num<int64_t>(off);
    }
  }
  status read_core(state_reader& r, uint32_t kind) {
    if (r.num<uint32_t>() != snapshot_magic || r.num<uint32_t>() != snapshot_version)
      return {errc::corrupt_batch, "not a pipeline state snapshot (bad magic or version)"};
    if (r.num<uint32_t>() != kind)
      return {errc::invalid_argument,
              "snapshot of a different operator kind (did the pipeline's "
              "stateful stages change?)"};
    watermark_ = r.num<int64_t>();
    marks_.clear();
    auto n = r.num<uint32_t>();
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      auto s = r.num<int32_t>();
      auto p = r.num<int32_t>();
      marks_[{s, p}] = r.num<int64_t>();
    }
    return {};
  }

  std::map<std::pair<int32_t, int32_t>, int64_t> marks_;
  timestamp_ms watermark_ = no_watermark;
};

/// Aggregation adapters: A has init() -> Acc, add(Acc&, const T&), result(const Acc&) -> R.
template <class T, class F>
struct reduce_agg {
  F f;
  std::optional<T> init() const { return std::nullopt; }
  void add(std::optional<T>& acc, const T& v) const {
    if (acc)
      acc = f(std::as_const(*acc), v);
    else
      acc = v;
  }
  T result(const std::optional<T>& acc) const { return *acc; }
};

template <class T>
struct count_agg {
  int64_t init() const { return 0; }
  void add(int64_t& acc, const T&) const { ++acc; }
  int64_t result(const int64_t& acc) const { return acc; }
};

/// window(spec).aggregate(agg) of a keyed stream. Body of the snapshot: u32 window count, per
/// window i64 start, u32 key count, per key (string key, accumulator).
template <class T, class A>
class window_logic final : public stage_logic, keyed_state_core {
 public:
  using acc_t = std::decay_t<decltype(std::declval<const A&>().init())>;
  using result_t =
      std::decay_t<decltype(std::declval<const A&>().result(std::declval<const acc_t&>()))>;
  using out_t = window_result<result_t>;

  window_logic(window_spec spec, A agg) : spec_(spec), agg_(std::move(agg)) {}

  bool stateful() const override { return true; }

  void process(batch_ptr in, stage_context& ctx) override {
    auto& b = as_batch<T>(in);
    uint64_t late = 0;
    for (auto& e : b.items) {
      if (already_applied(e.from)) continue;
      bool any = false;
      // Windows [s, s + size) with s = k * slide, s <= ts < s + size, newest first.
      timestamp_ms s = floor_div(e.ts, spec_.slide_ms) * spec_.slide_ms;
      for (; s > e.ts - spec_.size_ms; s -= spec_.slide_ms) {
        if (closed(s)) continue;
        auto& per_key = open_[s];
        auto it = per_key.find(e.key);
        if (it == per_key.end()) it = per_key.emplace(e.key, agg_.init()).first;
        guarded(ctx, b, e, [&] { agg_.add(it->second, std::as_const(e.value)); });
        any = true;
      }
      if (!any) ++late;
    }
    if (late) ctx.monitor()->late_records += late;
    advance_marks(b.items);
    watermark_ = std::max(watermark_, b.watermark);
    auto out = std::make_shared<batch<out_t>>();
    out->watermark = b.watermark;
    out->end_of_input = b.end_of_input;
    fire(out->items, b.end_of_input);
    ctx.emit(0, std::move(out));
  }

  void snapshot(bytes& out) const override {
    state_writer w(out);
    write_core(w, 1);
    w.num<uint32_t>(static_cast<uint32_t>(open_.size()));
    for (auto& [start, per_key] : open_) {
      w.num<int64_t>(start);
      w.num<uint32_t>(static_cast<uint32_t>(per_key.size()));
      for (auto& [key, acc] : per_key) {
        w.str(key);
        state_codec<acc_t>::write(w, acc);
      }
    }
  }

  status restore(bytes_view in) override {
    state_reader r(in);
    LK_TRY_STATUS(read_core(r, 1));
    open_.clear();
    auto windows = r.num<uint32_t>();
    for (uint32_t i = 0; i < windows && r.ok(); ++i) {
      auto& per_key = open_[r.num<int64_t>()];
      auto keys = r.num<uint32_t>();
      for (uint32_t k = 0; k < keys && r.ok(); ++k) {
        auto key = r.str();
        per_key.emplace(std::move(key), state_codec<acc_t>::read(r));
      }
    }
    if (!r.ok() || !r.at_end()) return {errc::corrupt_batch, "window state snapshot is truncated"};
    return {};
  }

 private:
  static timestamp_ms floor_div(timestamp_ms a, int64_t b) {
    timestamp_ms q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
  }
  bool closed(timestamp_ms start) const {
    return watermark_ != no_watermark &&
           start + spec_.size_ms + spec_.allowed_lateness_ms <= watermark_;
  }
  // Emits (and forgets) every window that closed, oldest first, keys in order.
  void fire(std::vector<element<out_t>>& out, bool all) {
    while (!open_.empty() && (all || closed(open_.begin()->first))) {
      auto node = open_.extract(open_.begin());
      const timestamp_ms start = node.key();
      for (auto& [key, acc] : node.mapped()) {
        out_t r{key, start, start + spec_.size_ms, agg_.result(acc)};
        out.push_back({std::move(r), key, true, start + spec_.size_ms - 1, origin{}});
      }
    }
  }

  window_spec spec_;
  A agg_;
  std::map<timestamp_ms, std::map<std::string, acc_t>> open_;  // start -> key -> accumulator
};

/// scan(init, f) of a keyed stream: per key state = f(state, record), emitted after every
/// record (key and timestamp of the record). Body of the snapshot: u32 key count, per key
/// (string key, state).
template <class T, class S, class F>
class scan_logic final : public stage_logic, keyed_state_core {
 public:
  scan_logic(S init, F f) : init_(std::move(init)), f_(std::move(f)) {}
  bool stateful() const override { return true; }

  void process(batch_ptr in, stage_context& ctx) override {
    auto& b = as_batch<T>(in);
    auto out = std::make_shared<batch<S>>();
    out->items.reserve(b.items.size());
    for (auto& e : b.items) {
      if (already_applied(e.from)) continue;
      auto it = state_.find(e.key);
      if (it == state_.end()) it = state_.emplace(e.key, init_).first;
      guarded(ctx, b, e, [&] {
        S next = f_(std::as_const(it->second), std::as_const(e.value));
        it->second = next;
        out->items.push_back({std::move(next), e.key, e.keyed, e.ts, e.from});
      });
    }
    advance_marks(b.items);
    watermark_ = std::max(watermark_, b.watermark);
    out->watermark = b.watermark;
    out->end_of_input = b.end_of_input;
    ctx.emit(0, std::move(out));
  }

  void snapshot(bytes& out) const override {
    state_writer w(out);
    write_core(w, 2);
    w.num<uint32_t>(static_cast<uint32_t>(state_.size()));
    for (auto& [key, s] : state_) {
      w.str(key);
      state_codec<S>::write(w, s);
    }
  }

  status restore(bytes_view in) override {
    state_reader r(in);
    LK_TRY_STATUS(read_core(r, 2));
    state_.clear();
    auto n = r.num<uint32_t>();
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      auto key = r.str();
      state_.emplace(std::move(key), state_codec<S>::read(r));
    }
    if (!r.ok() || !r.at_end()) return {errc::corrupt_batch, "scan state snapshot is truncated"};
    return {};
  }

 private:
  S init_;
  F f_;
  std::map<std::string, S> state_;
};

}  // namespace lkstream::pipeline_detail
