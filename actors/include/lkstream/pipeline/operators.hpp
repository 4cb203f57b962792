#pragma once
// The stateless operators and the sinks, as stage logics (pipeline_detail; see stage.hpp).
// Every user function is called once per record inside a try block: an exception sends that
// record to the dead-letter topic and the batch goes on.

#include <exception>
#include <string>
#include <type_traits>
#include <vector>

#include "lkstream/pipeline/serde.hpp"
#include "lkstream/pipeline/stage.hpp"
#include "lkstream/producer.hpp"

namespace lkstream::pipeline_detail {

inline std::string exception_text(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception (not derived from std::exception)";
  }
}

/// Runs f(); on an exception dead-letters element e (with `original` bytes when known).
template <class E, class F>
bool guarded(stage_context& ctx, batch_base& in, const E& e, F&& f,
             std::optional<bytes_view> original = std::nullopt) {
  try {
    f();
    return true;
  } catch (...) {
    ctx.dead_letter(e.from, e.ts, exception_text(std::current_exception()), original, in.tickets);
    return false;
  }
}

template <class T>
batch<T>& as_batch(batch_ptr& p) {
  return static_cast<batch<T>&>(*p);
}

/// Keeps, in order, the elements for which keep(element&) returns true; an exception from
/// keep dead-letters the element (it is dropped). Then hands the batch on.
template <class T, class Keep>
void keep_if(batch_ptr in, stage_context& ctx, Keep&& keep) {
  auto& b = as_batch<T>(in);
  size_t kept = 0;
  for (size_t i = 0; i < b.items.size(); ++i) {
    bool k = false;
    guarded(ctx, b, b.items[i], [&] { k = keep(b.items[i]); });
    if (k) {
      if (kept != i) b.items[kept] = std::move(b.items[i]);
      ++kept;
    }
  }
  b.items.erase(b.items.begin() + static_cast<std::ptrdiff_t>(kept), b.items.end());
  ctx.emit(0, std::move(in));
}

/// from(topic): record bytes -> T through serde<T>; the record key becomes the element key.
template <class T>
class decode_logic final : public stage_logic {
 public:
  explicit decode_logic(serde<T> s) : serde_(std::move(s)) {}
  void process(batch_ptr in, stage_context& ctx) override {
    auto& src = static_cast<source_batch&>(*in);
    auto out = std::make_shared<batch<T>>();
    out->items.reserve(src.items.size());
    for (auto& r : src.items) {
      bytes_view value = r.value.value.value_or(bytes_view{});
      guarded(
          ctx, src, r,
          [&] {
            element<T> e{serde_.decode(value), {}, false, r.ts, r.from};
            if (r.value.key) {
              e.key.assign(as_string_view(*r.value.key));
              e.keyed = true;
            }
            out->items.push_back(std::move(e));
          },
          r.value.value);
    }
    out->take(src);
    ctx.emit(0, std::move(out));
  }

 private:
  serde<T> serde_;
};

template <class T, class U, class F>
class map_logic final : public stage_logic {
 public:
  explicit map_logic(F f) : f_(std::move(f)) {}
  void process(batch_ptr in, stage_context& ctx) override {
    auto& b = as_batch<T>(in);
    auto out = std::make_shared<batch<U>>();
    out->items.reserve(b.items.size());
    for (auto& e : b.items)
      guarded(ctx, b, e, [&] {
        out->items.push_back({f_(std::as_const(e.value)), std::move(e.key), e.keyed, e.ts, e.from});
      });
    out->take(b);
    ctx.emit(0, std::move(out));
  }

 private:
  F f_;
};

template <class T, class F>
class filter_logic final : public stage_logic {
 public:
  explicit filter_logic(F f) : f_(std::move(f)) {}
  void process(batch_ptr in, stage_context& ctx) override {
    keep_if<T>(std::move(in), ctx, [&](element<T>& e) { return f_(std::as_const(e.value)); });
  }

 private:
  F f_;
};

/// f returns a range of U (vector, list, ...): each element becomes a record with the input's
/// key, timestamp and origin.
template <class T, class U, class F>
class flat_map_logic final : public stage_logic {
 public:
  explicit flat_map_logic(F f) : f_(std::move(f)) {}
  void process(batch_ptr in, stage_context& ctx) override {
    auto& b = as_batch<T>(in);
    auto out = std::make_shared<batch<U>>();
    out->items.reserve(b.items.size());
    for (auto& e : b.items)
      guarded(ctx, b, e, [&] {
        for (auto&& u : f_(std::as_const(e.value)))
          out->items.push_back({U(std::forward<decltype(u)>(u)), e.key, e.keyed, e.ts, e.from});
      });
    out->take(b);
    ctx.emit(0, std::move(out));
  }

 private:
  F f_;
};

template <class K>
std::string key_to_string(K&& k) {
  using D = std::decay_t<K>;
  if constexpr (std::is_integral_v<D>)
    return std::to_string(k);
  else
    return std::string(std::forward<K>(k));
}

template <class T, class F>
class key_by_logic final : public stage_logic {
 public:
  explicit key_by_logic(F f) : f_(std::move(f)) {}
  void process(batch_ptr in, stage_context& ctx) override {
    keep_if<T>(std::move(in), ctx, [&](element<T>& e) {
      e.key = key_to_string(f_(std::as_const(e.value)));
      e.keyed = true;
      return true;
    });
  }

 private:
  F f_;
};

/// peek: observes every record; an exception dead-letters the record (it is not passed on).
template <class T, class F>
class peek_logic final : public stage_logic {
 public:
  explicit peek_logic(F f) : f_(std::move(f)) {}
  void process(batch_ptr in, stage_context& ctx) override {
    keep_if<T>(std::move(in), ctx, [&](element<T>& e) {
      f_(std::as_const(e.value));
      return true;
    });
  }

 private:
  F f_;
};

/// branch: a record goes to the first output whose predicate holds; none: dropped.
template <class T>
class branch_logic final : public stage_logic {
 public:
  explicit branch_logic(std::vector<std::function<bool(const T&)>> preds)
      : preds_(std::move(preds)) {}
  void process(batch_ptr in, stage_context& ctx) override {
    auto& b = as_batch<T>(in);
    std::vector<std::shared_ptr<batch<T>>> outs(preds_.size());
    for (auto& o : outs) {
      o = std::make_shared<batch<T>>();
      o->inherit(b);
    }
    for (auto& e : b.items) {
      size_t target = preds_.size();
      guarded(ctx, b, e, [&] {
        for (size_t i = 0; i < preds_.size(); ++i)
          if (preds_[i](std::as_const(e.value))) {
            target = i;
            break;
          }
      });
      if (target < preds_.size()) outs[target]->items.push_back(std::move(e));
    }
    b.items.clear();
    b.tickets.clear();
    for (size_t i = 0; i < outs.size(); ++i) ctx.emit(i, std::move(outs[i]));
  }

 private:
  std::vector<std::function<bool(const T&)>> preds_;
};

/// merge: batches of several upstream stages pass through unchanged.
class pass_logic final : public stage_logic {
 public:
  void process(batch_ptr in, stage_context& ctx) override { ctx.emit(0, std::move(in)); }
};

/// Counts the outstanding appends of one sink batch; the batch's tickets are released (and the
/// records counted as out) when the last append is durable. Deletes itself then.
class sink_completion {
 public:
  sink_completion(std::vector<ticket_ptr> tickets, size_t count,
                  std::shared_ptr<pipeline_monitor> mon, std::string topic)
      : tickets_(std::move(tickets)),
        remaining_(count),
        count_(count),
        mon_(std::move(mon)),
        topic_(std::move(topic)) {}

  void on_report(const delivery_report& r) {
    if (r.code != errc::ok) failed(std::string(to_string(r.code)) + ": " + std::string(r.message));
    settle(1);
  }
  /// `n` appends will never report (send() refused them).
  void refused(size_t n, const std::string& why) {
    failed(why);
    settle(n);
  }

 private:
  void failed(const std::string& why) {
    if (!any_failed_.exchange(true)) {
      mon_->fail("append to " + topic_ + " failed: " + why);
      for (auto& t : tickets_) t->fail();
    }
  }
  void settle(size_t n) {
    if (remaining_.fetch_sub(n, std::memory_order_acq_rel) != n) return;
    if (!any_failed_) mon_->records_out += count_;
    delete this;
  }

  std::vector<ticket_ptr> tickets_;
  std::atomic<size_t> remaining_;
  size_t count_;
  std::shared_ptr<pipeline_monitor> mon_;
  std::string topic_;
  std::atomic<bool> any_failed_{false};
};

/// to(topic): encodes and appends every record (key = element key if keyed, timestamp = event
/// time); the tickets are held until every append is durable per the topic's fsync policy.
template <class T>
class topic_sink_logic final : public stage_logic {
 public:
  topic_sink_logic(std::string topic, serde<T> s)
      : topic_(std::move(topic)), serde_(std::move(s)) {}

  void process(batch_ptr in, stage_context& ctx) override {
    auto& b = as_batch<T>(in);
    // Encode first (a failing encode dead-letters), then send what encoded.
    std::vector<std::pair<size_t, size_t>> spans;  // (offset, length) in buf_
    std::vector<size_t> which;
    buf_.clear();
    for (size_t i = 0; i < b.items.size(); ++i) {
      size_t before = buf_.size();
      if (guarded(ctx, b, b.items[i], [&] { serde_.encode(b.items[i].value, buf_); })) {
        spans.emplace_back(before, buf_.size() - before);
        which.push_back(i);
      } else {
        buf_.resize(before);
      }
    }
    if (which.empty()) return;  // tickets are released with the batch
    auto* done = new sink_completion(std::move(b.tickets), which.size(), ctx.monitor(), topic_);
    auto& prod = ctx.sink_producer();
    for (size_t j = 0; j < which.size(); ++j) {
      auto& e = b.items[which[j]];
      producer_record rec;
      rec.topic = topic_;
      if (e.keyed) rec.key = as_bytes(e.key);
      rec.value = bytes_view(buf_).subspan(spans[j].first, spans[j].second);
      rec.timestamp = e.ts;
      auto st = prod.send(rec, [done](const delivery_report& r) { done->on_report(r); });
      if (!st) {
        done->refused(which.size() - j, st.err().to_string());
        return;
      }
    }
  }

 private:
  std::string topic_;
  serde<T> serde_;
  bytes buf_;
};

/// for_each(f): calls f for every record on a detached actor (f may block); the batch's tickets
/// are released when f returned for all of its records.
template <class T, class F>
class for_each_logic final : public stage_logic {
 public:
  explicit for_each_logic(F f) : f_(std::move(f)) {}
  void process(batch_ptr in, stage_context& ctx) override {
    auto& b = as_batch<T>(in);
    uint64_t n = 0;
    for (auto& e : b.items)
      if (guarded(ctx, b, e, [&] { f_(std::as_const(e.value)); })) ++n;
    ctx.monitor()->records_out += n;
  }

 private:
  F f_;
};

}  // namespace lkstream::pipeline_detail
