#pragma once
// A real single-node Apache Kafka broker (KRaft) for the bridge tests, run through the
// project's scripts/apache-kafka.sh: start() formats and starts it in `workdir` on a free
// loopback port (the same port again after stop()), stop() stops it (SIGTERM, then SIGKILL).
// The destructor stops a running broker, so a failed REQUIRE leaves no JVM behind.
//
// Threading: one test thread.

#include <string>

namespace lkstream::testing {

class apache_kafka {
 public:
  explicit apache_kafka(std::string workdir) : workdir_(std::move(workdir)) {}
  ~apache_kafka();
  apache_kafka(const apache_kafka&) = delete;
  apache_kafka& operator=(const apache_kafka&) = delete;

  /// Starts the broker and waits until it serves; false with error() set otherwise.
  bool start();
  bool stop();
  bool running() const { return running_; }
  /// "127.0.0.1:PORT" once started.
  const std::string& bootstrap() const { return bootstrap_; }
  const std::string& error() const { return error_; }

 private:
  bool run_script(const std::string& action, std::string* last_line);

  std::string workdir_;
  std::string bootstrap_;
  std::string error_;
  bool running_ = false;
};

}  // namespace lkstream::testing
