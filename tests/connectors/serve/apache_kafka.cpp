#include "apache_kafka.hpp"

#include <sys/wait.h>

#include <chrono>
#include <fstream>

#include "child_process.hpp"

namespace lkstream::testing {

using namespace std::chrono_literals;

apache_kafka::~apache_kafka() {
  if (running_) stop();
}

bool apache_kafka::run_script(const std::string& action, std::string* last_line) {
  // The first start may download Kafka from Maven Central; the broker itself needs ~20 s on a
  // loaded machine.
  child_process p({"/bin/bash", LKSTREAM_SOURCE_DIR "/scripts/apache-kafka.sh", action, workdir_});
  if (!p.started()) {
    error_ = p.error();
    return false;
  }
  const auto until = after(600s);
  while (auto line = p.read_line(until))
    if (last_line && !line->empty()) *last_line = *line;
  auto st = p.wait(until);
  if (!st || !WIFEXITED(*st) || WEXITSTATUS(*st) != 0) {
    std::ifstream log(workdir_ + "/kafka.log");
    std::string tail, l;
    while (std::getline(log, l)) {
      tail += l + "\n";
      if (tail.size() > 4000) tail.erase(0, tail.size() - 4000);
    }
    error_ = "apache-kafka.sh " + action + " failed: " + p.stderr_text() + "\nkafka.log:\n" + tail;
    return false;
  }
  return true;
}

bool apache_kafka::start() {
  std::string last;
  if (!run_script("start", &last)) return false;
  if (last.rfind("127.0.0.1:", 0) != 0) {
    error_ = "apache-kafka.sh start printed no address (last line: \"" + last + "\")";
    (void)run_script("stop", nullptr);
    return false;
  }
  bootstrap_ = last;
  running_ = true;
  return true;
}

bool apache_kafka::stop() {
  running_ = false;
  return run_script("stop", nullptr);
}

}  // namespace lkstream::testing
