#include "py_consumer.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <functional>
#include <map>

#include "errors.hpp"
#include "unit_args.hpp"

namespace lkstream::python {

namespace {

constexpr int64_t wait_slice_ms = 100;

void check_signals() {
  if (PyErr_CheckSignals() != 0) throw nb::python_error();
}

std::string tp_name(const topic_partition& tp) {
  return tp.topic + "-" + std::to_string(tp.partition.value());
}

/// (topic, partition) pairs from Python: an iterable of 2-tuples.
std::vector<topic_partition> partitions_arg(nb::handle obj, const char* what) {
  std::vector<topic_partition> out;
  nb::object it = nb::steal(PyObject_GetIter(obj.ptr()));
  if (!it || PyUnicode_Check(obj.ptr())) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s must be a list of (topic, partition) tuples, not %s", what,
                 Py_TYPE(obj.ptr())->tp_name);
    throw nb::python_error();
  }
  while (PyObject* raw = PyIter_Next(it.ptr())) {
    nb::object item = nb::steal(raw);
    std::pair<std::string, int32_t> p;
    if (!PyTuple_Check(raw) || !nb::try_cast(item, p)) {
      PyErr_Format(PyExc_TypeError, "%s: each entry must be a (str, int) tuple, not %s", what,
                   Py_TYPE(raw)->tp_name);
      throw nb::python_error();
    }
    out.push_back({p.first, partition_id{p.second}});
  }
  if (PyErr_Occurred()) throw nb::python_error();
  return out;
}

}  // namespace

std::map<topic_partition, int64_t> offsets_arg(nb::handle offsets) {
  std::map<topic_partition, int64_t> out;
  if (!PyDict_Check(offsets.ptr())) {
    PyErr_SetString(PyExc_TypeError,
                    "offsets must be a dict {(topic, partition): next_offset} or None");
    throw nb::python_error();
  }
  PyObject *k, *v;
  Py_ssize_t pos = 0;
  while (PyDict_Next(offsets.ptr(), &pos, &k, &v)) {
    std::pair<std::string, int32_t> tp;
    int64_t off = 0;
    if (!nb::try_cast(nb::handle(k), tp) || !nb::try_cast(nb::handle(v), off) || off < 0) {
      PyErr_SetString(PyExc_TypeError,
                      "offsets must map (topic, partition) to a non-negative offset");
      throw nb::python_error();
    }
    out[{tp.first, partition_id{tp.second}}] = off;
  }
  return out;
}

namespace {

/// The positions as Python sees them when records are buffered (they are not consumed yet);
/// nullopt when nothing is buffered: the consumer's own positions are Python's.
std::optional<std::map<topic_partition, int64_t>> handed_positions(consumer& c,
                                                                   const consumer_state& s) {
  if (!s.pending) return std::nullopt;
  std::map<topic_partition, int64_t> pos;
  for (auto& tp : c.assignment())
    if (auto p = c.position(tp); p && *p >= 0) pos[tp] = *p;
  for (auto& [tp, off] : s.first_buffered())
    if (pos.count(tp)) pos[tp] = off;
  return pos;
}

}  // namespace

// --- consumer_state -----------------------------------------------------------------------

std::map<topic_partition, int64_t> consumer_state::first_buffered() const {
  std::map<topic_partition, int64_t> first;
  if (!pending) return first;
  for (size_t i = next; i < pending->set.size(); ++i) {
    auto& r = pending->set[i];
    first.emplace(topic_partition{*r.topic, partition_id{r.partition}}, r.offset);
  }
  return first;
}

void consumer_state::rewind_locked() {
  if (!pending || !c) {
    pending.reset();
    return;
  }
  auto first = first_buffered();
  pending.reset();
  next = 0;
  // A partition revoked meanwhile is no longer ours to rewind: its new owner starts from the
  // committed offset.
  for (auto& [tp, off] : first) (void)c->seek(tp, off);
}

status consumer_state::close_locked() {
  if (!c) return {};
  rewind_locked();
  auto st = c->close();
  std::lock_guard g(wake_m);
  c.reset();
  return st;
}

void consumer_state::close_for_engine() {
  closing = true;
  {
    std::lock_guard g(wake_m);
    if (c) c->wakeup();
  }
  std::lock_guard lk(m);
  (void)close_locked();
}

// --- py_consumer ---------------------------------------------------------------------------

py_consumer::py_consumer(py_engine& eng, std::optional<std::string> group,
                         std::optional<std::vector<std::string>> topics, nb::handle partitions,
                         const std::string& auto_offset_reset, bool enable_auto_commit,
                         int64_t auto_commit_interval_ms, int64_t session_timeout_ms,
                         int64_t heartbeat_interval_ms, size_t max_poll_records,
                         const std::string& assignment_strategy, const std::string& client_id,
                         const std::string& isolation_level) {
  consumer_options o;
  if (isolation_level == "read_committed") o.isolation = lkstream::isolation_level::read_committed;
  else if (isolation_level != "read_uncommitted")
    raise_error(errc::invalid_argument,
                "isolation_level must be \"read_uncommitted\" or \"read_committed\", got \"" +
                    isolation_level + "\"");
  if (group) {
    if (group->empty()) raise_error(errc::invalid_argument, "group must not be empty (or None)");
    o.group_id = *group;
  }
  if (auto_offset_reset == "earliest") o.auto_offset_reset = offset_reset::earliest;
  else if (auto_offset_reset == "latest") o.auto_offset_reset = offset_reset::latest;
  else if (auto_offset_reset == "none") o.auto_offset_reset = offset_reset::none;
  else
    raise_error(errc::invalid_argument,
                "auto_offset_reset must be \"earliest\", \"latest\" or \"none\", got \"" +
                    auto_offset_reset + "\"");
  if (auto_commit_interval_ms < 1 || session_timeout_ms < 1 || heartbeat_interval_ms < 1)
    raise_error(errc::invalid_argument,
                "auto_commit_interval_ms, session_timeout_ms and heartbeat_interval_ms must be "
                "positive");
  if (heartbeat_interval_ms >= session_timeout_ms)
    raise_error(errc::invalid_argument, "heartbeat_interval_ms must be below session_timeout_ms");
  if (max_poll_records < 1 || max_poll_records > 1000000)
    raise_error(errc::invalid_argument, "max_poll_records must be 1..1000000");
  if (assignment_strategy != "range" && assignment_strategy != "roundrobin")
    raise_error(errc::invalid_argument,
                "assignment_strategy must be \"range\" or \"roundrobin\", got \"" +
                    assignment_strategy + "\"");
  o.enable_auto_commit = enable_auto_commit;
  o.auto_commit_interval_ms = auto_commit_interval_ms;
  o.session_timeout_ms = session_timeout_ms;
  o.heartbeat_interval_ms = heartbeat_interval_ms;
  o.max_poll_records = max_poll_records;
  o.assignment_strategy = assignment_strategy;
  o.client_id = client_id;
  if (topics && !group)
    raise_error(errc::invalid_argument,
                "topics= needs a group (or use partitions= to consume without one)");
  if (topics && !partitions.is_none())
    raise_error(errc::invalid_argument, "give topics= (with a group) or partitions=, not both");
  std::vector<topic_partition> tps;
  if (!partitions.is_none()) tps = partitions_arg(partitions, "partitions");

  auto st = std::make_shared<consumer_state>();
  st->engine = eng.state();
  std::optional<status> made;
  {
    nb::gil_scoped_release release;
    std::shared_lock lk(st->engine->m);
    if (st->engine->eng) {
      auto c = st->engine->eng->make_consumer(o);
      if (!c) {
        made = status{c.err()};
      } else {
        st->c = std::move(*c);
        st->engine->adopt(st);
        made = status{};
      }
    }
  }
  if (!made) raise_error(errc::closed, "the engine is closed");
  check(std::move(*made));
  st_ = std::move(st);
  group_ = group;
  max_poll_records_ = max_poll_records;
  if (topics) subscribe(*topics);
  if (!partitions.is_none()) assign(partitions);
}

py_consumer::~py_consumer() {
  if (!st_) return;
  nb::gil_scoped_release release;
  st_->engine->release(*st_);
  st_->close_for_engine();
}

template <class Fn>
auto py_consumer::locked(Fn&& fn) {
  using R = decltype(fn(std::declval<consumer&>()));
  std::optional<R> out;
  {
    nb::gil_scoped_release release;
    std::lock_guard lk(st_->m);
    if (st_->c) out.emplace(fn(*st_->c));
  }
  if (!out) raise_error(errc::closed, "the consumer is closed");
  return check(std::move(*out));
}

void py_consumer::subscribe(std::vector<std::string> topics) {
  for (auto& t : topics)
    if (t.empty()) raise_error(errc::invalid_argument, "topic names must not be empty");
  locked([&](consumer& c) {
    // Unknown topics would only ever get no partitions: say so now.
    for (auto& t : topics)
      if (auto d = st_->engine->eng->describe_topic(t); !d) return status{d.err()};
    st_->rewind_locked();
    return c.subscribe(topics);
  });
}

void py_consumer::assign(nb::handle partitions) {
  auto tps = partitions_arg(partitions, "partitions");
  locked([&](consumer& c) {
    st_->rewind_locked();
    return c.assign(tps);
  });
}

result<py_consumer::slice> py_consumer::take_locked(size_t max, int64_t wait_ms) {
  auto& s = *st_;
  if (!s.pending) {
    if (s.closing) return slice{};
    LK_ASSIGN_OR_RETURN(auto set, s.c->poll(std::chrono::milliseconds(wait_ms)));
    if (set.empty()) return slice{};
    s.pending = std::make_shared<const polled_records>(polled_records{std::move(set)});
    s.next = 0;
  }
  slice out{s.pending, s.next, std::min(s.pending->set.size(), s.next + max)};
  s.next = out.end;
  if (s.next >= s.pending->set.size()) s.pending.reset();
  return out;
}

nb::object py_consumer::make_record(const std::shared_ptr<const polled_records>& b, size_t i) {
  const auto& topic = *b->set[i].topic;
  if (!topic_str_ || topic != topic_text_) {
    topic_text_ = topic;
    topic_str_ = nb::str(topic.data(), topic.size());
  }
  return nb::cast(py_record{b, i, topic_str_});
}

nb::list py_consumer::poll_batch(std::optional<size_t> max_records,
                                 std::optional<double> timeout) {
  const size_t max = max_records.value_or(max_poll_records_);
  if (max < 1) raise_error(errc::invalid_argument, "max_records must be positive");
  const int64_t limit_ms = timeout_arg(timeout, "timeout");
  const auto start = std::chrono::steady_clock::now();
  slice got;
  for (;;) {
    serve_commits();  // before taking records, so that a raising callback loses none
    int64_t slice_ms = wait_slice_ms;
    if (limit_ms >= 0) {
      auto used = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
      slice_ms = std::max<int64_t>(0, std::min(slice_ms, limit_ms - used));
    }
    std::optional<result<slice>> r;
    {
      nb::gil_scoped_release release;
      std::lock_guard lk(st_->m);
      if (st_->c) r.emplace(take_locked(max, slice_ms));
    }
    if (!r) raise_error(errc::closed, "the consumer is closed");
    got = check(std::move(*r));
    if (got.end > got.begin) break;
    if (st_->closing) break;
    if (limit_ms >= 0 && std::chrono::steady_clock::now() - start >=
                             std::chrono::milliseconds(limit_ms))
      break;
    check_signals();
  }
  nb::list out;
  for (size_t i = got.begin; i < got.end; ++i) out.append(make_record(got.batch, i));
  return out;
}

nb::object py_consumer::next() {
  for (;;) {
    serve_commits();  // before taking a record, so that a raising callback loses none
    std::optional<result<slice>> r;
    // Fast path: records are buffered and nobody else uses the consumer; no GIL release.
    if (st_->m.try_lock()) {
      std::lock_guard lk(st_->m, std::adopt_lock);
      if (st_->c && st_->pending) r.emplace(take_locked(1, 0));
    }
    if (!r) {
      nb::gil_scoped_release release;
      std::lock_guard lk(st_->m);
      if (st_->c) r.emplace(take_locked(1, wait_slice_ms));
    }
    if (!r || st_->closing) throw nb::stop_iteration();
    auto got = check(std::move(*r));
    if (got.end > got.begin) return make_record(got.batch, got.begin);
    check_signals();
  }
}

bool py_consumer::wait_ready(std::optional<double> timeout) {
  const int64_t limit_ms = timeout_arg(timeout, "timeout");
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    int64_t slice_ms = wait_slice_ms;
    if (limit_ms >= 0) {
      auto used = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
      slice_ms = std::max<int64_t>(0, std::min(slice_ms, limit_ms - used));
    }
    std::optional<result<bool>> r;
    {
      nb::gil_scoped_release release;
      std::lock_guard lk(st_->m);
      auto& s = *st_;
      if (s.c) {
        if (s.pending || s.closing) {
          r.emplace(s.pending != nullptr);
        } else if (auto set = s.c->poll(std::chrono::milliseconds(slice_ms)); !set) {
          r.emplace(std::move(set).take_error());
        } else {
          if (!set->empty()) {
            s.pending = std::make_shared<const polled_records>(polled_records{std::move(*set)});
            s.next = 0;
          }
          r.emplace(s.pending != nullptr);
        }
      }
    }
    if (!r) raise_error(errc::closed, "the consumer is closed");
    if (check(std::move(*r)) || st_->closing) return !st_->closing;
    if (limit_ms >= 0 && std::chrono::steady_clock::now() - start >=
                             std::chrono::milliseconds(limit_ms))
      return false;
    check_signals();
  }
}

// --- commit_outcomes ----------------------------------------------------------------------

void commit_outcomes::push(uint64_t id, const status& st) {
  std::lock_guard g(m_);
  ready_.push_back({id, st.code(), st ? std::string{} : st.err().message});
  waiting_.store(true, std::memory_order_release);
}

std::vector<commit_outcomes::outcome> commit_outcomes::take() {
  std::vector<outcome> out;
  std::lock_guard g(m_);
  out.swap(ready_);
  waiting_.store(false, std::memory_order_release);
  return out;
}

void py_consumer::serve_commits(bool raise_first) {
  if (serving_ || !outcomes_->waiting()) return;
  serving_ = true;
  struct done_serving {
    bool& flag;
    ~done_serving() { flag = false; }
  } reset{serving_};
  std::optional<nb::python_error> first;
  // Loops: a callback may release the GIL while later outcomes arrive (kept in order).
  for (auto batch = outcomes_->take(); !batch.empty(); batch = outcomes_->take()) {
    for (auto& o : batch) {
      auto i = on_commit_.find(o.id);
      if (i == on_commit_.end()) continue;
      nb::object cb = std::move(i->second);
      on_commit_.erase(i);
      try {
        cb(o.code == errc::ok ? nb::none() : make_error(o.code, o.message));
      } catch (nb::python_error& ex) {
        if (raise_first && !first) first.emplace(std::move(ex));
        else ex.discard_as_unraisable("lkstream on_commit callback");
      }
    }
  }
  if (first) throw std::move(*first);
}

void py_consumer::serve_then_check(status st) {
  serve_commits(static_cast<bool>(st));
  check(std::move(st));
}

void py_consumer::commit(nb::handle offsets, bool asynchronous, nb::handle on_commit) {
  std::optional<std::map<topic_partition, int64_t>> explicit_offsets;
  if (!offsets.is_none()) explicit_offsets = offsets_arg(offsets);
  if (!on_commit.is_none() && !PyCallable_Check(on_commit.ptr())) {
    PyErr_Format(PyExc_TypeError, "on_commit must be callable or None, not %s",
                 Py_TYPE(on_commit.ptr())->tp_name);
    throw nb::python_error();
  }
  if (!on_commit.is_none() && !asynchronous)
    raise_error(errc::invalid_argument,
                "on_commit= is for asynchronous commits: pass asynchronous=True too (a "
                "synchronous commit() reports its outcome by returning or raising)");

  if (!asynchronous) {
    if (explicit_offsets && explicit_offsets->empty()) return;
    if (!group_) raise_error(errc::invalid_argument, "commit() needs a consumer with a group");
    std::optional<status> st;
    {
      nb::gil_scoped_release release;
      std::lock_guard lk(st_->m);
      if (auto* c = st_->c.get()) {
        if (explicit_offsets) st = c->commit_sync(*explicit_offsets);
        else if (auto pos = handed_positions(*c, *st_)) st = c->commit_sync(*pos);
        else st = c->commit_sync();
      }
    }
    if (!st) raise_error(errc::closed, "the consumer is closed");
    return serve_then_check(std::move(*st));
  }

  if (!group_) raise_error(errc::invalid_argument, "commit() needs a consumer with a group");
  // Registered before the commit is queued: its outcome may be served by another thread as
  // soon as the GIL is released.
  std::function<void(const status&)> done;
  std::optional<uint64_t> id;
  if (!on_commit.is_none()) {
    id = next_commit_id_++;
    on_commit_.emplace(*id, nb::borrow(on_commit));
    done = [outcomes = outcomes_, id = *id](const status& st) { outcomes->push(id, st); };
  }
  bool queued = false;
  {
    nb::gil_scoped_release release;
    std::lock_guard lk(st_->m);
    if (auto* c = st_->c.get()) {
      if (explicit_offsets) c->commit_async(*explicit_offsets, std::move(done));
      else if (auto pos = handed_positions(*c, *st_)) c->commit_async(*pos, std::move(done));
      else c->commit_async(std::move(done));
      queued = true;
    }
  }
  if (!queued) {
    if (id) on_commit_.erase(*id);
    raise_error(errc::closed, "the consumer is closed");
  }
  // A refusal with nothing pending was delivered before commit_async returned: serve it now.
  serve_commits();
}

void py_consumer::seek(const std::string& topic, int32_t partition, int64_t offset) {
  if (offset < 0) raise_error(errc::invalid_argument, "offset must be >= 0");
  locked([&](consumer& c) {
    st_->rewind_locked();
    return c.seek({topic, partition_id{partition}}, offset);
  });
}

std::vector<topic_partition> py_consumer::partitions_of(std::optional<std::string> topic,
                                                        std::optional<int32_t> partition) {
  if (partition && !topic) raise_error(errc::invalid_argument, "partition= needs topic=");
  auto all = locked([](consumer& c) -> result<std::vector<topic_partition>> {
    return c.assignment();
  });
  std::vector<topic_partition> out;
  for (auto& tp : all)
    if ((!topic || tp.topic == *topic) && (!partition || tp.partition.value() == *partition))
      out.push_back(tp);
  if (out.empty() && topic)
    raise_error(errc::invalid_argument,
                partition ? *topic + "-" + std::to_string(*partition) + " is not assigned"
                          : "no partition of " + *topic + " is assigned");
  return out;
}

void py_consumer::seek_to_time(const std::string& topic, int64_t timestamp,
                               std::optional<int32_t> partition) {
  if (timestamp < 0) raise_error(errc::invalid_argument, "timestamp must be >= 0 (ms)");
  auto tps = partitions_of(topic, partition);
  locked([&](consumer& c) -> status {
    st_->rewind_locked();
    for (auto& tp : tps) LK_TRY_STATUS(c.seek_to_timestamp(tp, timestamp));
    return status{};
  });
}

void py_consumer::seek_to_beginning(std::optional<std::string> topic,
                                    std::optional<int32_t> partition) {
  auto tps = partitions_of(topic, partition);
  if (tps.empty()) return;
  locked([&](consumer& c) {
    st_->rewind_locked();
    return c.seek_to_beginning(tps);
  });
}

void py_consumer::seek_to_end(std::optional<std::string> topic, std::optional<int32_t> partition) {
  auto tps = partitions_of(topic, partition);
  if (tps.empty()) return;
  locked([&](consumer& c) {
    st_->rewind_locked();
    return c.seek_to_end(tps);
  });
}

std::vector<std::pair<std::string, int32_t>> py_consumer::assignment() {
  std::vector<std::pair<std::string, int32_t>> out;
  for (auto& tp : partitions_of(std::nullopt, std::nullopt))
    out.emplace_back(tp.topic, tp.partition.value());
  return out;
}

int64_t py_consumer::position(const std::string& topic, int32_t partition) {
  return locked([&](consumer& c) -> result<int64_t> {
    topic_partition tp{topic, partition_id{partition}};
    auto& s = *st_;
    if (s.pending)
      for (size_t i = s.next; i < s.pending->set.size(); ++i) {
        auto& r = s.pending->set[i];
        if (r.partition == partition && *r.topic == topic) return r.offset;
      }
    return c.position(tp);
  });
}

std::optional<int64_t> py_consumer::committed(const std::string& topic, int32_t partition) {
  if (!group_) raise_error(errc::invalid_argument, "committed() needs a consumer with a group");
  auto off = locked([&](consumer& c) { return c.committed({topic, partition_id{partition}}); });
  if (off < 0) return std::nullopt;
  return off;
}

consumer_group_metadata py_consumer::group_metadata() {
  if (!group_) raise_error(errc::invalid_argument, "group_metadata() needs a consumer with a group");
  return locked([](consumer& c) { return result<consumer_group_metadata>(c.group_metadata()); });
}

std::vector<py_partition_lag> py_consumer::lag() {
  auto rows = locked([](consumer& c) -> result<std::vector<partition_lag>> { return c.lag(); });
  std::vector<py_partition_lag> out;
  for (auto& l : rows) {
    py_partition_lag p{l.tp.topic, l.tp.partition.value(), std::nullopt, l.end_offset, 0};
    if (l.committed >= 0) p.committed = l.committed;
    p.lag = std::max<int64_t>(0, l.lag());
    out.push_back(std::move(p));
  }
  return out;
}

void py_consumer::wakeup() {
  std::lock_guard g(st_->wake_m);
  if (st_->c) st_->c->wakeup();
}

void py_consumer::close() {
  status st;
  {
    nb::gil_scoped_release release;
    st_->engine->release(*st_);
    st_->closing = true;
    {
      std::lock_guard g(st_->wake_m);
      if (st_->c) st_->c->wakeup();
    }
    std::lock_guard lk(st_->m);
    st = st_->close_locked();
  }
  // close() waited for pending commits: their callbacks run now.
  serve_then_check(std::move(st));
}

bool py_consumer::closed() {
  std::lock_guard g(st_->wake_m);
  return !st_->c;
}

void bind_consumer(nb::module_& m) {
  nb::class_<consumer_group_metadata>(m, "ConsumerGroupMetadata")
      .def(nb::init<>())
      .def_rw("group_id", &consumer_group_metadata::group_id)
      .def_rw("generation_id", &consumer_group_metadata::generation_id)
      .def_rw("member_id", &consumer_group_metadata::member_id)
      .def("__repr__", [](const consumer_group_metadata& g) {
        return "ConsumerGroupMetadata(group_id='" + g.group_id +
               "', generation_id=" + std::to_string(g.generation_id) + ", member_id='" +
               g.member_id + "')";
      });

  nb::class_<py_consumer>(m, "Consumer", nb::is_weak_referenceable())
      .def(nb::init<py_engine&, std::optional<std::string>,
                    std::optional<std::vector<std::string>>, nb::handle, const std::string&, bool,
                    int64_t, int64_t, int64_t, size_t, const std::string&, const std::string&,
                    const std::string&>(),
           nb::arg("engine"), nb::arg("group").none() = nb::none(),
           nb::arg("topics").none() = nb::none(), nb::kw_only(),
           nb::arg("partitions").none() = nb::none(), nb::arg("auto_offset_reset") = "latest",
           nb::arg("enable_auto_commit") = true, nb::arg("auto_commit_interval_ms") = 5000,
           nb::arg("session_timeout_ms") = 10000, nb::arg("heartbeat_interval_ms") = 3000,
           nb::arg("max_poll_records") = 500, nb::arg("assignment_strategy") = "range",
           nb::arg("client_id") = "lkstream", nb::arg("isolation_level") = "read_uncommitted")
      .def("subscribe", &py_consumer::subscribe, nb::arg("topics"))
      .def("assign", &py_consumer::assign, nb::arg("partitions"))
      .def("poll_batch", &py_consumer::poll_batch, nb::arg("max_records").none() = nb::none(),
           nb::arg("timeout").none() = 1.0)
      .def("__next__", &py_consumer::next)
      .def("_wait_ready", &py_consumer::wait_ready, nb::arg("timeout").none() = nb::none())
      .def("commit", &py_consumer::commit, nb::arg("offsets").none() = nb::none(),
           nb::kw_only(), nb::arg("asynchronous") = false,
           nb::arg("on_commit").none() = nb::none())
      .def("seek", &py_consumer::seek, nb::arg("topic"), nb::arg("partition"), nb::arg("offset"))
      .def("seek_to_time", &py_consumer::seek_to_time, nb::arg("topic"), nb::arg("timestamp"),
           nb::arg("partition").none() = nb::none())
      .def("seek_to_beginning", &py_consumer::seek_to_beginning,
           nb::arg("topic").none() = nb::none(), nb::arg("partition").none() = nb::none())
      .def("seek_to_end", &py_consumer::seek_to_end, nb::arg("topic").none() = nb::none(),
           nb::arg("partition").none() = nb::none())
      .def("assignment", &py_consumer::assignment)
      .def("position", &py_consumer::position, nb::arg("topic"), nb::arg("partition"))
      .def("committed", &py_consumer::committed, nb::arg("topic"), nb::arg("partition"))
      .def("group_metadata", &py_consumer::group_metadata)
      .def("lag", &py_consumer::lag)
      .def("wakeup", &py_consumer::wakeup)
      .def("close", &py_consumer::close)
      .def_prop_ro("closed", &py_consumer::closed)
      .def_prop_ro("group", &py_consumer::group);
}

}  // namespace lkstream::python
