#pragma once
// lkstream.KafkaListener: the Kafka wire-protocol listener over an embedded engine, so Kafka
// clients (confluent-kafka, kcat, ...) and this process's own producers and consumers share
// topics and consumer groups. Engine.listen() starts one; stop() (or closing the engine)
// stops it, letting in-flight requests finish.

#include <nanobind/nanobind.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine_state.hpp"
#include "lkstream/kafka_listener.hpp"

namespace lkstream::python {

namespace nb = nanobind;

class py_engine;

struct listener_state final : closable {
  std::shared_ptr<engine_state> engine;
  std::mutex m;
  std::unique_ptr<kafka_listener> listener;  // null once stopped
  std::string address;
  std::string advertised;
  uint16_t port = 0;

  void close_for_engine() override {
    std::lock_guard g(m);
    if (listener) listener->stop();
    listener.reset();
  }
};

class py_listener {
 public:
  py_listener(py_engine& eng, const std::string& listen, std::optional<std::string> advertised);
  ~py_listener();
  void stop();
  bool stopped();
  std::string address() const { return st_->address; }
  std::string advertised() const { return st_->advertised; }
  uint16_t port() const { return st_->port; }

 private:
  std::shared_ptr<listener_state> st_;
};

void bind_listener(nb::module_& m);

}  // namespace lkstream::python
