// A minimal Kafka-protocol server for the client tests (kcat script, Python clients): an
// engine on a data directory plus the listener on 127.0.0.1 and a free port.
//
//   kafka_test_server [--data-dir DIR] [--listen HOST:PORT] [--max-request-bytes N]
//                     [--partitions N]
//
// Prints "listening on HOST:PORT" once clients may connect, then serves until SIGTERM or
// SIGINT: stops the listener (in-flight requests finish), closes the engine, exits 0. Without
// --data-dir it uses a fresh temporary directory and removes it at exit.

#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "lkstream/engine.hpp"
#include "lkstream/kafka_listener.hpp"

int main(int argc, char** argv) {
  std::string data_dir;
  lkstream::listener_options opts;
  opts.listen = "127.0.0.1:0";
  int partitions = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--data-dir") data_dir = argv[i + 1];
    else if (flag == "--listen") opts.listen = argv[i + 1];
    else if (flag == "--max-request-bytes") opts.limits.max_request_bytes = std::stoull(argv[i + 1]);
    else if (flag == "--partitions") partitions = std::stoi(argv[i + 1]);
    else {
      std::cerr << "unknown flag " << flag << '\n';
      return 2;
    }
  }
  bool temporary = data_dir.empty();
  if (temporary) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lkstream-kafka-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    data_dir = tmpl;
  }
  // Block the stop signals before any thread starts, so sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto cfg = lkstream::config::defaults();
  cfg.broker.data_dir = data_dir;
  cfg.topic_defaults.partitions = partitions;
  lkstream::engine_options eo;
  eo.config = cfg;
  auto eng = lkstream::engine::open(std::move(eo));
  if (!eng) {
    std::cerr << eng.err().to_string() << '\n';
    return 1;
  }
  auto lst = lkstream::kafka_listener::start(**eng, opts);
  if (!lst) {
    std::cerr << lst.err().to_string() << '\n';
    return 1;
  }
  std::cout << "listening on " << (*lst)->bound_address() << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*lst)->stop();
  auto st = (*eng)->close();
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
  if (!st) {
    std::cerr << st.err().to_string() << '\n';
    return 1;
  }
  return 0;
}
