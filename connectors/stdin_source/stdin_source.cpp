// stdin_source: records from standard input, or from a file or named pipe (FIFO), into one
// topic. Lines, key<separator>value lines, or length-prefixed binary (record_framer.hpp).
// End of input (the writer closed the pipe) emits what is left and stops the connector
// cleanly once every record is stored.
//
// A FIFO is opened without blocking, and read only when poll(2) reports data or a hang-up, so
// the connector waits for a writer to appear instead of seeing end of input at once.
// Delivery: standard input cannot be re-read, so records read by an instance that then fails
// before their ack are lost with it; a clean end of input loses nothing.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "posix_io.hpp"
#include "stream_source.hpp"

namespace lkstream::connectors {
namespace {

constexpr size_t read_chunk = 64 * 1024;
constexpr size_t max_read_per_poll = 4 * 1024 * 1024;

class stdin_source final : public stream_source {
 public:
  static constexpr const char* name = "stdin_source";
  static constexpr const char* version = "1.0";
  static constexpr const char* description =
      "reads lines, key/value lines or length-prefixed records from stdin or a named pipe";
  static constexpr lks_config_field schema[] = {
      plugin::optional("path", LKS_CONFIG_STRING, "-",
                       "\"-\" for standard input, else a file or named pipe to read"),
      format_field,
      separator_field,
      batch_records_field,
      max_record_bytes_field,
  };

  explicit stdin_source(plugin::host h) : stream_source(h), path_(h.get_string("path")) {}

  plugin::status start() override {
    if (auto st = require_one_topic(); !st.ok()) return st;
    if (path_ == "-") {
      fd_ = STDIN_FILENO;
      return plugin::ok();
    }
    fd_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) return os_error("cannot open", path_);
    owns_fd_ = true;
    // Blocking reads from here on: we only read what poll(2) reported.
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    return plugin::ok();
  }

  plugin::status poll(std::chrono::milliseconds timeout) override {
    int wait_ms = static_cast<int>(timeout.count());
    size_t read_now = 0;
    while (!eof_ && read_now < max_read_per_poll) {
      pollfd p{fd_, POLLIN, 0};
      int rc = ::poll(&p, 1, wait_ms);
      if (rc < 0 && errno != EINTR) return os_error("cannot poll", path_);
      if (rc <= 0) break;
      char buf[read_chunk];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return os_error("cannot read", path_);
      }
      if (n == 0) {
        eof_ = true;
        break;
      }
      framer_.feed({buf, static_cast<size_t>(n)});
      read_now += static_cast<size_t>(n);
      wait_ms = 0;  // then take whatever else is ready, without waiting
      auto where = [&] { return path_ == "-" ? std::string("on standard input") : "in " + path_; };
      if (auto st = emit_complete(where); !st.ok()) return st;
    }
    if (!eof_) return plugin::ok();
    if (auto st = emit_unterminated(); !st.ok()) return st;
    if (framer_.pending_bytes() > 0)
      host().warn("input ended inside a length-prefixed record; dropped its " +
                  std::to_string(framer_.pending_bytes()) + " bytes");
    return plugin::end_of_input();
  }

  plugin::status stop() override {
    if (owns_fd_) ::close(fd_);
    owns_fd_ = false;
    return plugin::ok();
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool eof_ = false;
};

}  // namespace
}  // namespace lkstream::connectors

LKSTREAM_CONNECTOR(lkstream::connectors::stdin_source)
