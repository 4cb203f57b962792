#include "py_producer.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>

#include <chrono>
#include <limits>
#include <optional>
#include <vector>

#include "byte_args.hpp"
#include "errors.hpp"
#include "py_consumer.hpp"
#include "py_engine.hpp"
#include "unit_args.hpp"

namespace lkstream::python {

namespace {

constexpr size_t send_many_chunk = 1024;         // records converted per GIL hold
constexpr size_t serve_when_waiting = 1u << 16;  // callbacks waiting before send() serves them
constexpr int64_t wait_slice_ms = 100;           // blocking waits wake up to check signals

PyObject* callback_arg(nb::handle on_delivery) {
  if (on_delivery.is_none()) return nullptr;
  if (!PyCallable_Check(on_delivery.ptr())) {
    PyErr_Format(PyExc_TypeError, "on_delivery must be callable or None, not %s",
                 Py_TYPE(on_delivery.ptr())->tp_name);
    throw nb::python_error();
  }
  return on_delivery.ptr();
}

void check_signals() {
  if (PyErr_CheckSignals() != 0) throw nb::python_error();
}

/// headers: None, a dict {str: bytes-like | None}, or an iterable of (str, bytes-like | None).
void headers_arg(nb::handle headers, byte_args& args, std::vector<record_header>& out) {
  if (headers.is_none()) return;
  auto add = [&](PyObject* k, PyObject* v) {
    record_header h;
    if (!args.text(k, "a header key", h.key)) throw nb::python_error();
    if (!args.view(v, "a header value", h.value)) throw nb::python_error();
    out.push_back(h);
  };
  if (PyDict_Check(headers.ptr())) {
    // Our own references: the dict may change while the GIL is released.
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(headers.ptr(), &pos, &k, &v)) {
      args.keep(k);
      args.keep(v);
      add(k, v);
    }
    return;
  }
  if (PyUnicode_Check(headers.ptr()) || PyBytes_Check(headers.ptr())) {
    PyErr_SetString(PyExc_TypeError,
                    "headers must be a dict or a list of (str, bytes) pairs, not a string");
    throw nb::python_error();
  }
  nb::object it = nb::steal(PyObject_GetIter(headers.ptr()));
  if (!it) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "headers must be a dict or a list of (str, bytes) pairs, not %s",
                 Py_TYPE(headers.ptr())->tp_name);
    throw nb::python_error();
  }
  while (PyObject* item = PyIter_Next(it.ptr())) {
    args.keep(item);
    Py_DECREF(item);
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
      PyErr_Format(PyExc_TypeError, "each header must be a (str, bytes) pair, not %s",
                   Py_TYPE(item)->tp_name);
      throw nb::python_error();
    }
    add(PyTuple_GET_ITEM(item, 0), PyTuple_GET_ITEM(item, 1));
  }
  if (PyErr_Occurred()) throw nb::python_error();
}

}  // namespace

void producer_state::close_for_engine() {
  std::unique_lock lk(m);
  if (!prod) return;
  // Wait for every acknowledgement (the engine is still open), so no callback can arrive after.
  (void)prod->flush();
  prod.reset();
}

producer_state::~producer_state() {
  if (prod) {
    (void)prod->flush(std::chrono::seconds(60));
    if (prod->in_flight() > 0) {
      // Reports may still arrive on engine threads and would touch the queue: keep it.
      prod.reset();
      return;
    }
    prod.reset();
  }
  delete queue;
}

py_producer::py_producer(py_engine& eng, int64_t linger_ms, nb::handle batch_bytes,
                         nb::handle buffer_bytes, int64_t max_block_ms, bool auto_create_topics,
                         std::optional<std::string> transactional_id,
                         int64_t transaction_timeout_ms) {
  producer_options opts;
  if (transactional_id) {
    if (transactional_id->empty())
      raise_error(errc::invalid_argument, "transactional_id must not be empty (or None)");
    opts.transactional_id = *transactional_id;
  }
  if (transaction_timeout_ms < 1 || transaction_timeout_ms > std::numeric_limits<int32_t>::max())
    raise_error(errc::invalid_argument, "transaction_timeout_ms must be 1..2147483647");
  opts.transaction_timeout_ms = static_cast<int32_t>(transaction_timeout_ms);
  if (linger_ms < 0) raise_error(errc::invalid_argument, "linger_ms must be >= 0");
  if (max_block_ms < 0) raise_error(errc::invalid_argument, "max_block_ms must be >= 0");
  opts.linger_ms = linger_ms;
  opts.max_block_ms = max_block_ms;
  opts.auto_create_topics = auto_create_topics;
  if (!batch_bytes.is_none()) {
    auto v = size_arg(batch_bytes, "batch_bytes");
    if (v < 1) raise_error(errc::invalid_argument, "batch_bytes must be positive");
    opts.batch_bytes = static_cast<size_t>(v);
  }
  if (!buffer_bytes.is_none()) {
    auto v = size_arg(buffer_bytes, "buffer_bytes");
    if (v < 1) raise_error(errc::invalid_argument, "buffer_bytes must be positive");
    opts.buffer_bytes = static_cast<size_t>(v);
  }
  auto st = std::make_shared<producer_state>();
  st->engine = eng.state();
  bool made = false;
  {
    nb::gil_scoped_release release;
    std::shared_lock lk(st->engine->m);
    if (st->engine->eng) {
      st->prod = st->engine->eng->make_producer(opts);
      st->engine->adopt(st);
      made = true;
    }
  }
  if (!made) raise_error(errc::closed, "the engine is closed");
  st_ = std::move(st);
}

py_producer::~py_producer() {
  if (!st_) return;
  {
    nb::gil_scoped_release release;
    st_->engine->release(*st_);
    st_->close_for_engine();
  }
  // Callbacks nobody served: drop their references without calling them (we are being freed).
  for (auto& e : st_->queue->take()) Py_XDECREF(e.callback);
}

void py_producer::send(std::string_view topic, nb::handle value, nb::handle key,
                       nb::handle headers, std::optional<int32_t> partition,
                       std::optional<int64_t> timestamp, nb::handle on_delivery) {
  byte_args args;
  producer_record rec;
  rec.topic = topic;
  if (!args.view(value.ptr(), "value", rec.value)) throw nb::python_error();
  if (!args.view(key.ptr(), "key", rec.key)) throw nb::python_error();
  std::vector<record_header> hdrs;
  headers_arg(headers, args, hdrs);
  rec.headers = hdrs;
  if (partition) {
    if (*partition < 0) raise_error(errc::invalid_argument, "partition must be >= 0 or None");
    rec.partition = *partition;
  }
  if (timestamp) {
    if (*timestamp < 0) raise_error(errc::invalid_argument, "timestamp must be >= 0 or None");
    rec.timestamp = *timestamp;
  }
  PyObject* cb = callback_arg(on_delivery);
  Py_XINCREF(cb);
  status st;
  {
    nb::gil_scoped_release release;
    std::shared_lock lk(st_->m);
    if (!st_->prod) st = status{errc::closed, "the producer is closed"};
    else st = st_->prod->send(rec, delivery_hook{st_->queue, cb});
  }
  if (!st) {
    Py_XDECREF(cb);
    raise_error(st.err());
  }
  serve_if_crowded();
}

size_t py_producer::send_many(std::string_view topic, nb::handle records,
                              std::optional<int32_t> partition, std::optional<int64_t> timestamp,
                              nb::handle on_delivery) {
  if (partition && *partition < 0)
    raise_error(errc::invalid_argument, "partition must be >= 0 or None");
  if (timestamp && *timestamp < 0)
    raise_error(errc::invalid_argument, "timestamp must be >= 0 or None");
  PyObject* cb = callback_arg(on_delivery);
  PyObject* seq = records.ptr();
  const bool indexed = PyList_Check(seq) || PyTuple_Check(seq);
  if (!indexed && (PyBytes_Check(seq) || PyUnicode_Check(seq) || PyByteArray_Check(seq))) {
    PyErr_SetString(PyExc_TypeError,
                    "records must be an iterable of (key, value) tuples or values, not a single "
                    "bytes/str value (use send())");
    throw nb::python_error();
  }
  nb::object it;
  if (!indexed) {
    it = nb::steal(PyObject_GetIter(seq));
    if (!it) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError,
                   "records must be an iterable of (key, value) tuples or values, not %s",
                   Py_TYPE(seq)->tp_name);
      throw nb::python_error();
    }
  }
  std::vector<producer_record> batch;
  batch.reserve(send_many_chunk);
  producer_record proto;
  proto.topic = topic;
  if (partition) proto.partition = *partition;
  if (timestamp) proto.timestamp = *timestamp;
  size_t index = 0;  // of the next record to convert
  size_t sent = 0;
  for (;;) {
    byte_args args;
    batch.clear();
    while (batch.size() < send_many_chunk) {
      PyObject* item;
      if (indexed) {
        const Py_ssize_t n = PyList_Check(seq) ? PyList_GET_SIZE(seq) : PyTuple_GET_SIZE(seq);
        if (static_cast<Py_ssize_t>(index) >= n) break;
        item = PyList_Check(seq) ? PyList_GET_ITEM(seq, index) : PyTuple_GET_ITEM(seq, index);
        args.keep(item);  // the list may change while the GIL is released
      } else {
        item = PyIter_Next(it.ptr());
        if (!item) {
          if (PyErr_Occurred()) throw nb::python_error();
          break;
        }
        args.keep(item);
        Py_DECREF(item);
      }
      producer_record& rec = batch.emplace_back(proto);
      PyObject* k = Py_None;
      PyObject* v = item;
      if (PyTuple_Check(item)) {
        if (PyTuple_GET_SIZE(item) != 2) {
          PyErr_Format(PyExc_TypeError, "records[%zu] must be a (key, value) tuple, got %zd items",
                       index, PyTuple_GET_SIZE(item));
          throw nb::python_error();
        }
        k = PyTuple_GET_ITEM(item, 0);
        v = PyTuple_GET_ITEM(item, 1);
      } else if (item == Py_None) {
        PyErr_Format(PyExc_TypeError,
                     "records[%zu] is None: a tombstone is written as (key, None)", index);
        throw nb::python_error();
      }
      // Fast path for bytes; everything else through byte_args.
      if (PyBytes_Check(v)) {
        rec.value = bytes_view{reinterpret_cast<const std::byte*>(PyBytes_AS_STRING(v)),
                               static_cast<size_t>(PyBytes_GET_SIZE(v))};
      } else if (!args.view(v, "a record value", rec.value)) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError,
                     "records[%zu] must be a (key, value) tuple or a bytes-like value, not %s",
                     index, Py_TYPE(item)->tp_name);
        throw nb::python_error();
      }
      if (k == Py_None) {
        rec.key.reset();
      } else if (PyBytes_Check(k)) {
        rec.key = bytes_view{reinterpret_cast<const std::byte*>(PyBytes_AS_STRING(k)),
                             static_cast<size_t>(PyBytes_GET_SIZE(k))};
      } else if (!args.view(k, "a record key", rec.key)) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "records[%zu]: the key must be bytes-like or None, not %s",
                     index, Py_TYPE(k)->tp_name);
        throw nb::python_error();
      }
      ++index;
    }
    if (batch.empty()) break;
    if (cb)
      for (size_t i = 0; i < batch.size(); ++i) Py_INCREF(cb);
    size_t queued = 0;
    status st;
    {
      nb::gil_scoped_release release;
      std::shared_lock lk(st_->m);
      // One producer lock for the chunk; on an error the records before it are queued.
      if (!st_->prod) st = status{errc::closed, "the producer is closed"};
      else st = st_->prod->send_batch(batch, delivery_hook{st_->queue, cb}, queued);
    }
    sent += queued;
    if (!st) {
      if (cb)
        for (size_t i = queued; i < batch.size(); ++i) Py_DECREF(cb);
      raise_error(st.code(), "send_many: records[" + std::to_string(sent) + "] (" +
                                 std::to_string(sent) +
                                 " records before it were queued): " + st.err().message);
    }
    serve_if_crowded();
  }
  return sent;
}

size_t py_producer::serve() {
  auto* q = st_->queue;
  q->clear_notification();
  auto events = q->take();
  if (events.empty()) return 0;
  std::optional<nb::python_error> first;
  for (auto& e : events) {
    nb::object cb = nb::steal(e.callback);
    try {
      nb::object err = e.code == errc::ok ? nb::none() : make_error(e.code, e.message);
      nb::object rep =
          nb::cast(py_delivery_report{std::move(e.topic), e.partition, e.offset, e.timestamp});
      cb(err, rep);
    } catch (nb::python_error& ex) {
      if (!first) first.emplace(std::move(ex));
      else ex.discard_as_unraisable("lkstream on_delivery callback");
    }
  }
  if (first) throw std::move(*first);
  return events.size();
}

void py_producer::serve_if_crowded() {
  if (st_->queue->size() >= serve_when_waiting) serve();
}

size_t py_producer::poll(double timeout) {
  int64_t ms = timeout_arg(timeout, "timeout");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (st_->queue->size() == 0 && ms > 0) {
    {
      nb::gil_scoped_release release;
      st_->queue->wait(std::min(ms, wait_slice_ms));
    }
    check_signals();
    ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                               std::chrono::steady_clock::now())
             .count();
  }
  return serve();
}

size_t py_producer::flush(std::optional<double> timeout) {
  const int64_t limit_ms = timeout_arg(timeout, "timeout");
  const auto start = std::chrono::steady_clock::now();
  size_t left = 0;
  for (;;) {
    int64_t slice = wait_slice_ms;
    if (limit_ms >= 0) {
      auto used = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
      slice = std::max<int64_t>(0, std::min(slice, limit_ms - used));
    }
    status st;
    {
      nb::gil_scoped_release release;
      std::shared_lock lk(st_->m);
      if (!st_->prod) {
        st = status{errc::closed, "the producer is closed"};
      } else {
        st = st_->prod->flush(std::chrono::milliseconds(slice));
        left = st_->prod->in_flight();
      }
    }
    serve();
    if (st) break;
    if (st.code() != errc::timeout) raise_error(st.err());
    if (limit_ms >= 0 && std::chrono::steady_clock::now() - start >=
                             std::chrono::milliseconds(limit_ms))
      break;
    check_signals();
  }
  serve();
  auto [failed, first] = st_->queue->take_failures();
  if (failed > 0) raise_delivery_error(failed, first);
  return left;
}

void py_producer::close() {
  {
    nb::gil_scoped_release release;
    st_->engine->release(*st_);
    st_->close_for_engine();
  }
  serve();
}

bool py_producer::closed() {
  nb::gil_scoped_release release;
  std::shared_lock lk(st_->m);
  return !st_->prod;
}

size_t py_producer::in_flight() {
  nb::gil_scoped_release release;
  std::shared_lock lk(st_->m);
  return st_->prod ? st_->prod->in_flight() : 0;
}

template <class Fn>
void py_producer::call(Fn&& fn, bool serve_callbacks) {
  std::optional<status> st;
  {
    nb::gil_scoped_release release;
    std::shared_lock lk(st_->m);
    if (st_->prod) st = fn(*st_->prod);
  }
  if (!st) raise_error(errc::closed, "the producer is closed");
  if (serve_callbacks) serve();
  check(std::move(*st));
}

namespace {
// Seconds (None: no limit) as the engine's milliseconds.
std::chrono::milliseconds txn_timeout(std::optional<double> timeout) {
  const int64_t ms = timeout_arg(timeout, "timeout");
  return ms < 0 ? std::chrono::hours(24 * 365) : std::chrono::milliseconds(ms);
}
}  // namespace

void py_producer::init_transactions(std::optional<double> timeout, bool serve_callbacks) {
  const auto t = txn_timeout(timeout);
  call([&](producer& p) { return p.init_transactions(t); }, serve_callbacks);
}

void py_producer::begin_transaction() {
  call([](producer& p) { return p.begin_transaction(); });
}

void py_producer::send_offsets_to_transaction(nb::handle offsets,
                                              const consumer_group_metadata& group,
                                              std::optional<double> timeout,
                                              bool serve_callbacks) {
  auto o = offsets_arg(offsets);
  const auto t = txn_timeout(timeout);
  call([&](producer& p) { return p.send_offsets_to_transaction(o, group, t); }, serve_callbacks);
}

void py_producer::commit_transaction(std::optional<double> timeout, bool serve_callbacks) {
  const auto t = txn_timeout(timeout);
  call([&](producer& p) { return p.commit_transaction(t); }, serve_callbacks);
}

void py_producer::abort_transaction(std::optional<double> timeout, bool serve_callbacks) {
  const auto t = txn_timeout(timeout);
  call([&](producer& p) { return p.abort_transaction(t); }, serve_callbacks);
}

void bind_producer(nb::module_& m) {
  nb::class_<py_delivery_report>(m, "DeliveryReport")
      .def_ro("topic", &py_delivery_report::topic)
      .def_ro("partition", &py_delivery_report::partition)
      .def_ro("offset", &py_delivery_report::offset)
      .def_ro("timestamp", &py_delivery_report::timestamp)
      .def("__repr__", [](const py_delivery_report& r) {
        return "DeliveryReport(topic='" + r.topic + "', partition=" +
               std::to_string(r.partition) + ", offset=" + std::to_string(r.offset) +
               ", timestamp=" + std::to_string(r.timestamp) + ")";
      });

  nb::class_<py_producer>(m, "Producer", nb::is_weak_referenceable())
      .def(nb::init<py_engine&, int64_t, nb::handle, nb::handle, int64_t, bool,
                    std::optional<std::string>, int64_t>(),
           nb::arg("engine"), nb::kw_only(), nb::arg("linger_ms") = 5,
           nb::arg("batch_bytes").none() = nb::none(),
           nb::arg("buffer_bytes").none() = nb::none(), nb::arg("max_block_ms") = 60000,
           nb::arg("auto_create_topics") = false,
           nb::arg("transactional_id").none() = nb::none(),
           nb::arg("transaction_timeout_ms") = 60000)
      .def("send", &py_producer::send, nb::arg("topic"), nb::arg("value").none() = nb::none(),
           nb::arg("key").none() = nb::none(), nb::kw_only(),
           nb::arg("headers").none() = nb::none(), nb::arg("partition").none() = nb::none(),
           nb::arg("timestamp").none() = nb::none(), nb::arg("on_delivery").none() = nb::none())
      .def("send_many", &py_producer::send_many, nb::arg("topic"), nb::arg("records"),
           nb::kw_only(), nb::arg("partition").none() = nb::none(),
           nb::arg("timestamp").none() = nb::none(), nb::arg("on_delivery").none() = nb::none())
      .def("poll", &py_producer::poll, nb::arg("timeout") = 0.0)
      .def("flush", &py_producer::flush, nb::arg("timeout").none() = nb::none())
      .def("close", &py_producer::close)
      .def_prop_ro("closed", &py_producer::closed)
      .def("init_transactions", &py_producer::init_transactions,
           nb::arg("timeout").none() = 60.0, nb::kw_only(), nb::arg("serve_callbacks") = true)
      .def("begin_transaction", &py_producer::begin_transaction)
      .def("send_offsets_to_transaction", &py_producer::send_offsets_to_transaction,
           nb::arg("offsets"), nb::arg("group_metadata"), nb::arg("timeout").none() = 60.0,
           nb::kw_only(), nb::arg("serve_callbacks") = true)
      .def("commit_transaction", &py_producer::commit_transaction,
           nb::arg("timeout").none() = 60.0, nb::kw_only(), nb::arg("serve_callbacks") = true)
      .def("abort_transaction", &py_producer::abort_transaction,
           nb::arg("timeout").none() = 60.0, nb::kw_only(), nb::arg("serve_callbacks") = true)
      .def_prop_ro("in_flight", &py_producer::in_flight)
      .def_prop_ro("pending_callbacks", &py_producer::pending_callbacks)
      .def("_notification_fd", &py_producer::notification_fd);
}

}  // namespace lkstream::python
