// file_source: follows a file like `tail -F` into one topic: reads what is appended, survives
// rotation (the file renamed away and a new one created under the same name: the old one is
// read to its end first) and truncation (read again from the start), and waits for a file that
// does not exist yet.
//
// Position: after each ack, the identity of the file and the offset after the last stored
// record are written atomically to a small state file, so a restarted connector continues
// where the stored data ends (at-least-once: records emitted but not acked are read again).
// If the file was rotated while the connector was down, the old file is found by its inode in
// the same directory and finished first (one rotation while stopped is bridged; older ones
// are not looked for).
//
// State file (default <state_dir>/file_source.position), one line:
//   "<st_dev> <st_ino> <offset>\n"   decimal; offset = bytes of that file already stored.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <vector>

#include "posix_io.hpp"
#include "stream_source.hpp"

namespace lkstream::connectors {
namespace {

constexpr size_t read_chunk = 64 * 1024;
constexpr size_t max_read_per_poll = 4 * 1024 * 1024;

struct file_position {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t offset = 0;
};

class file_source final : public stream_source {
 public:
  static constexpr const char* name = "file_source";
  static constexpr const char* version = "1.0";
  static constexpr const char* description =
      "follows a file like tail -F (rotation, truncation), position stored durably";
  static constexpr lks_config_field schema[] = {
      plugin::required("path", LKS_CONFIG_STRING, "file to follow"),
      format_field,
      separator_field,
      plugin::one_of("start_at", "beginning|end", "beginning",
                     "where to begin when no position is stored yet"),
      plugin::optional("poll_interval", LKS_CONFIG_DURATION, "200ms",
                       "how often to look for new data and rotation when idle"),
      plugin::optional("state_file", LKS_CONFIG_STRING, "",
                       "position file; empty = file_source.position in the connector's state "
                       "directory"),
      batch_records_field,
      max_record_bytes_field,
  };

  explicit file_source(plugin::host h)
      : stream_source(h),
        path_(h.get_string("path")),
        state_path_(h.get_string("state_file")),
        start_at_end_(h.get_string("start_at") == "end"),
        interval_ms_(std::max<int64_t>(1, h.get_int("poll_interval"))) {
    if (state_path_.empty()) state_path_ = h.state_dir() + "/file_source.position";
  }

  plugin::status start() override {
    if (auto st = require_one_topic(); !st.ok()) return st;
    auto stored = load_position();
    if (!stored) return open_fresh();
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && same_file(st, *stored))
      return open_at(path_, stored->offset);
    if (auto old = find_by_inode(*stored)) {
      host().info("resuming " + *old + " (rotated away from " + path_ + ") at offset " +
                  std::to_string(stored->offset));
      return open_at(*old, stored->offset);
    }
    host().warn("the file of the stored position (inode " + std::to_string(stored->ino) +
                ") is gone; reading " + path_ + " from its beginning");
    return open_at_if_exists(0);
  }

  plugin::status poll(std::chrono::milliseconds timeout) override {
    if (!ack_error_.ok()) return ack_error_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t read_now = 0;
    bool emitted = false;
    for (;;) {
      if (fd_ < 0) {
        if (auto st = open_at_if_exists(0); !st.ok()) return st;
        if (fd_ < 0) return idle(deadline);
      }
      if (read_now < max_read_per_poll) {
        auto got = read_some();
        if (!got.ok()) return got.error;
        if (got.bytes > 0) {
          read_now += got.bytes;
          if (auto st = emit_complete(where()); !st.ok()) return st;
          emitted = true;
          continue;
        }
      }
      if (emitted) return plugin::ok();  // let the acks flow before looking further
      bool switched = false;
      if (auto st = follow_rotation(switched); !st.ok()) return st;
      if (!switched) return idle(deadline);
    }
  }

  void ack(uint64_t token) override {
    std::optional<file_position> last;
    while (!pending_.empty() && pending_.front().first <= token) {
      last = pending_.front().second;
      pending_.pop_front();
    }
    if (!last) return;
    std::string line = std::to_string(last->dev) + " " + std::to_string(last->ino) + " " +
                       std::to_string(last->offset) + "\n";
    if (auto st = write_file_atomically(state_path_, line); !st.ok()) ack_error_ = st;
  }

  plugin::status stop() override {
    close_file();
    return plugin::ok();
  }

 private:
  struct read_result {
    size_t bytes = 0;
    plugin::status error;
    bool ok() const { return error.ok(); }
  };

  static bool same_file(const struct stat& st, const file_position& p) {
    return static_cast<uint64_t>(st.st_dev) == p.dev && static_cast<uint64_t>(st.st_ino) == p.ino;
  }

  std::optional<file_position> load_position() const {
    std::ifstream in(state_path_);
    file_position p;
    if (!(in >> p.dev >> p.ino >> p.offset)) return std::nullopt;
    return p;
  }

  // The file in path_'s directory that has the stored identity, if any.
  std::optional<std::string> find_by_inode(const file_position& p) const {
    const std::string dir = parent_dir(path_);
    std::optional<std::string> found;
    if (DIR* d = ::opendir(dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        std::string candidate = dir + "/" + e->d_name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && same_file(st, p)) {
          found = candidate;
          break;
        }
      }
      ::closedir(d);
    }
    return found;
  }

  plugin::status open_fresh() {
    if (!start_at_end_) return open_at_if_exists(0);
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) return open_at_if_exists(0);
    return open_at(path_, static_cast<uint64_t>(st.st_size));
  }

  plugin::status open_at_if_exists(uint64_t offset) {
    if (::access(path_.c_str(), F_OK) != 0) return plugin::ok();  // wait for it to appear
    return open_at(path_, offset);
  }

  plugin::status open_at(const std::string& file, uint64_t offset) {
    close_file();
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return os_error("cannot open", file);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return os_error("cannot stat", file);
    }
    if (static_cast<uint64_t>(st.st_size) < offset) {
      host().warn(file + " is shorter than the stored position " + std::to_string(offset) +
                  " (truncated?); reading it from its beginning");
      offset = 0;
    }
    fd_ = fd;
    current_ = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino), offset};
    read_pos_ = offset;
    framer_.reset();
    return plugin::ok();
  }

  void close_file() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  read_result read_some() {
    char buf[read_chunk];
    for (;;) {
      ssize_t n = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(read_pos_));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return {0, os_error("cannot read", path_)};
      framer_.feed({buf, static_cast<size_t>(n)});
      read_pos_ += static_cast<uint64_t>(n);
      return {static_cast<size_t>(n), plugin::ok()};
    }
  }

  // At the end of the open file: has path_ been rotated (another file now) or truncated?
  plugin::status follow_rotation(bool& switched) {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) return plugin::ok();  // renamed, not recreated yet
    if (same_file(st, current_)) {
      if (static_cast<uint64_t>(st.st_size) >= read_pos_) return plugin::ok();
      host().warn(path_ + " was truncated to " + std::to_string(st.st_size) +
                  " bytes; reading it again from its beginning");
      switched = true;
      return open_at(path_, 0);
    }
    // Rotated: finish the old file (a writer may have appended just before renaming it),
    // including an unterminated last line, then switch to the new one.
    for (;;) {
      auto got = read_some();
      if (!got.ok()) return got.error;
      if (got.bytes == 0) break;
      if (auto s = emit_complete(where()); !s.ok()) return s;
    }
    if (auto s = emit_unterminated(); !s.ok()) return s;
    host().info(path_ + " was rotated; following the new file");
    switched = true;
    return open_at(path_, 0);
  }

  // Describes where the framer stands, for a too-long record.
  std::function<std::string()> where() const {
    return [this] {
      return "in " + path_ + " near offset " + std::to_string(current_.offset + framer_.consumed());
    };
  }

  // Each emit's token remembers where the stored data will end once it is acked.
  uint64_t next_token() override {
    const uint64_t token = ++last_token_;
    pending_.emplace_back(token, file_position{current_.dev, current_.ino,
                                               current_.offset + framer_.consumed()});
    return token;
  }

  plugin::status idle(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    int ms = static_cast<int>(std::min<int64_t>(interval_ms_, std::max<int64_t>(0, left.count())));
    if (ms > 0) ::poll(nullptr, 0, ms);
    return plugin::ok();
  }

  std::string path_;
  std::string state_path_;
  bool start_at_end_;
  int64_t interval_ms_;
  int fd_ = -1;
  file_position current_;  // the open file; offset = where the framer started in it
  uint64_t read_pos_ = 0;
  uint64_t last_token_ = 0;
  std::deque<std::pair<uint64_t, file_position>> pending_;  // emitted, not yet acked
  plugin::status ack_error_;
};

}  // namespace
}  // namespace lkstream::connectors

LKSTREAM_CONNECTOR(lkstream::connectors::file_source)
