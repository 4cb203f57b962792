#include "py_listener.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include "errors.hpp"
#include "py_engine.hpp"

namespace lkstream::python {

py_listener::py_listener(py_engine& eng, const std::string& listen,
                         std::optional<std::string> advertised) {
  auto st = std::make_shared<listener_state>();
  st->engine = eng.state();
  std::optional<status> made;
  {
    nb::gil_scoped_release release;
    std::shared_lock lk(st->engine->m);
    if (st->engine->eng) {
      auto opts = listener_options::from_config(st->engine->eng->configuration().broker);
      opts.listen = listen;
      opts.advertised = advertised.value_or("");
      auto l = kafka_listener::start(*st->engine->eng, opts);
      if (!l) {
        made = status{l.err()};
      } else {
        st->listener = std::move(*l);
        st->address = st->listener->bound_address();
        st->advertised = st->listener->advertised_address();
        st->port = st->listener->bound_port();
        st->engine->adopt(st);
        made = status{};
      }
    }
  }
  if (!made) raise_error(errc::closed, "the engine is closed");
  check(std::move(*made));
  st_ = std::move(st);
}

py_listener::~py_listener() {
  if (!st_) return;
  nb::gil_scoped_release release;
  st_->engine->release(*st_);
  st_->close_for_engine();
}

void py_listener::stop() {
  nb::gil_scoped_release release;
  st_->engine->release(*st_);
  st_->close_for_engine();
}

bool py_listener::stopped() {
  std::lock_guard g(st_->m);
  return !st_->listener;
}

void bind_listener(nb::module_& m) {
  nb::class_<py_listener>(m, "KafkaListener", nb::is_weak_referenceable())
      .def(nb::init<py_engine&, const std::string&, std::optional<std::string>>(),
           nb::arg("engine"), nb::arg("listen") = "127.0.0.1:0",
           nb::arg("advertised").none() = nb::none())
      .def("stop", &py_listener::stop)
      .def_prop_ro("stopped", &py_listener::stopped)
      .def_prop_ro("address", &py_listener::address)
      .def_prop_ro("advertised_address", &py_listener::advertised)
      .def_prop_ro("port", &py_listener::port)
      .def("__repr__", [](py_listener& l) {
        return "KafkaListener(address='" + l.address() + "'" + (l.stopped() ? ", stopped" : "") +
               ")";
      });
}

}  // namespace lkstream::python
