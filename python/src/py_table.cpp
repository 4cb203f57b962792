#include "py_table.hpp"

#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <algorithm>
#include <chrono>

#include "errors.hpp"
#include "unit_args.hpp"

namespace lkstream::python {

namespace {

constexpr int64_t wait_slice_ms = 100;

/// One change of a table, as Python sees it (lkstream.TableUpdate).
struct py_table_update {
  nb::bytes key;
  nb::object value;  // bytes, or None: the key was deleted
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = 0;
};

nb::bytes to_bytes(std::string_view s) { return nb::bytes(s.data(), s.size()); }

std::string_view key_of(const nb::bytes& key) { return {key.c_str(), key.size()}; }

}  // namespace

void table_state::close_locked() {
  if (!t) return;
  t->close();
  kept = t->snapshot();
  snapshot_at = t->snapshot_offsets();
  keyless = t->skipped_keyless();
  std::lock_guard g(wake_m);
  t.reset();
}

void table_state::close_for_engine() {
  closing = true;
  {
    std::lock_guard g(wake_m);
    if (t) t->wakeup();
  }
  std::lock_guard lk(m);
  close_locked();
}

py_table::py_table(py_engine& eng, const std::string& topic, nb::handle max_bytes,
                   double snapshot_timeout)
    : topic_(topic) {
  table_options o;
  o.topic = topic;
  if (!max_bytes.is_none()) {
    auto v = size_arg(max_bytes, "max_bytes");
    if (v < 1) raise_error(errc::invalid_argument, "max_bytes must be positive");
    o.max_bytes = static_cast<uint64_t>(v);
  }
  if (!(snapshot_timeout > 0))
    raise_error(errc::invalid_argument, "snapshot_timeout must be positive (seconds)");
  o.snapshot_timeout = std::chrono::milliseconds(static_cast<int64_t>(snapshot_timeout * 1000));
  st_ = std::make_shared<table_state>();
  st_->engine = eng.state();
  std::optional<status> made;
  {
    nb::gil_scoped_release release;
    std::shared_lock lk(st_->engine->m);
    if (st_->engine->eng) {
      auto t = table::open(*st_->engine->eng, o);
      if (!t) {
        made = status{t.err()};
      } else {
        st_->t = std::move(*t);
        st_->snapshot_at = st_->t->snapshot_offsets();
        st_->engine->adopt(st_);
        made = status{};
      }
    }
  }
  if (!made) raise_error(errc::closed, "the engine is closed");
  check(std::move(*made));
}

py_table::~py_table() {
  if (!st_) return;
  nb::gil_scoped_release release;
  st_->engine->release(*st_);
  std::lock_guard lk(st_->m);
  st_->close_locked();
}

nb::dict py_table::snapshot() {
  nb::dict out;
  std::lock_guard lk(st_->m);  // poll() releases the GIL while it holds m: never both waiting
  for (auto& [k, e] : st_->rows()) out[to_bytes(k)] = to_bytes(e.value);
  return out;
}

nb::object py_table::get(nb::bytes key) {
  std::lock_guard lk(st_->m);
  auto& rows = st_->rows();
  auto it = rows.find(key_of(key));
  if (it == rows.end()) return nb::none();
  return to_bytes(it->second.value);
}

bool py_table::contains(nb::bytes key) {
  std::lock_guard lk(st_->m);
  return st_->rows().count(key_of(key)) > 0;
}

size_t py_table::size() {
  std::lock_guard lk(st_->m);
  return st_->rows().size();
}

uint64_t py_table::size_bytes() {
  std::lock_guard lk(st_->m);
  return st_->t ? st_->t->bytes() : 0;
}

nb::list py_table::poll(std::optional<double> timeout) {
  // nullopt: wait until something comes; else at most `timeout` seconds.
  const int64_t total_ms = timeout ? static_cast<int64_t>(std::max(0.0, *timeout) * 1000) : -1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max<int64_t>(total_ms, 0));
  nb::list out;
  for (;;) {
    int64_t slice = wait_slice_ms;
    if (total_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()).count();
      slice = std::clamp<int64_t>(left, 0, wait_slice_ms);
    }
    std::optional<result<table_updates>> got;
    {
      nb::gil_scoped_release release;
      std::unique_lock lk(st_->m);
      if (st_->t && !st_->closing) got.emplace(st_->t->poll(std::chrono::milliseconds(slice)));
    }
    // The updates view bytes their table_updates owns: converted with the GIL, without `m`
    // (so a thread that holds the GIL may wait for `m`: snapshot(), get()).
    if (got && *got)
      for (auto& u : **got)
        out.append(nb::cast(py_table_update{
            to_bytes(u.key), u.value ? nb::object(to_bytes(*u.value)) : nb::none(), u.partition,
            u.offset, u.timestamp}));
    if (!got) raise_error(errc::closed, "the table is closed");
    if (!*got) raise_error(got->err());
    if (out.size() > 0) return out;
    if (total_ms >= 0 && std::chrono::steady_clock::now() >= deadline) return out;
    if (PyErr_CheckSignals() != 0) throw nb::python_error();
  }
}

std::map<int32_t, int64_t> py_table::snapshot_offsets() {
  std::lock_guard lk(st_->m);
  return st_->snapshot_at;
}

uint64_t py_table::skipped_keyless() {
  std::lock_guard lk(st_->m);
  return st_->t ? st_->t->skipped_keyless() : st_->keyless;
}

void py_table::close() {
  st_->closing = true;
  nb::gil_scoped_release release;
  st_->engine->release(*st_);
  {
    std::lock_guard g(st_->wake_m);
    if (st_->t) st_->t->wakeup();
  }
  std::lock_guard lk(st_->m);
  st_->close_locked();
}

bool py_table::closed() {
  std::lock_guard lk(st_->m);
  return !st_->t;
}

void bind_table(nb::module_& m) {
  nb::class_<py_table_update>(m, "TableUpdate")
      .def_ro("key", &py_table_update::key)
      .def_ro("value", &py_table_update::value)
      .def_ro("partition", &py_table_update::partition)
      .def_ro("offset", &py_table_update::offset)
      .def_ro("timestamp", &py_table_update::timestamp)
      .def("__repr__", [](const py_table_update& u) {
        return "TableUpdate(key=" + nb::cast<std::string>(nb::repr(u.key)) +
               ", value=" + nb::cast<std::string>(nb::repr(u.value)) +
               ", partition=" + std::to_string(u.partition) +
               ", offset=" + std::to_string(u.offset) + ")";
      });
  nb::class_<py_table>(m, "Table")
      .def(nb::init<py_engine&, const std::string&, nb::handle, double>(), nb::arg("engine"),
           nb::arg("topic"), nb::kw_only(), nb::arg("max_bytes").none() = nb::none(),
           nb::arg("snapshot_timeout") = 120.0)
      .def("snapshot", &py_table::snapshot)
      .def("get", &py_table::get, nb::arg("key"))
      .def("__contains__", &py_table::contains, nb::arg("key"))
      .def("__len__", &py_table::size)
      .def("poll", &py_table::poll, nb::arg("timeout").none() = 1.0)
      .def("close", &py_table::close)
      .def_prop_ro("closed", &py_table::closed)
      .def_prop_ro("topic", &py_table::topic)
      .def_prop_ro("snapshot_offsets", &py_table::snapshot_offsets)
      .def_prop_ro("skipped_keyless", &py_table::skipped_keyless)
      .def_prop_ro("size_bytes", &py_table::size_bytes);
}

}  // namespace lkstream::python
