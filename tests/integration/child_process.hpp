#pragma once
// A child process for integration tests: spawned with posix_spawn, stdout and stderr captured
// through pipes, read line by line with deadlines (never by sleeping), signalled and reaped.
//
// The child gets PR_SET_PDEATHSIG-like protection from the destructor only: a child still
// running when the object dies is killed with SIGKILL and reaped, so a failed REQUIRE never
// leaves processes behind.
//
// Threading: one thread uses an object. Not copyable or movable (it owns fds and a pid).

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace lkstream::testing {

using deadline = std::chrono::steady_clock::time_point;

inline deadline after(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

class child_process {
 public:
  /// Starts argv[0] (a path) with argv; the environment is inherited. started() says whether
  /// that worked; error() then holds the reason.
  explicit child_process(const std::vector<std::string>& argv);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  bool started() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }

  /// The next complete stdout line (without '\n'), or nullopt when the deadline passed or
  /// stdout reached end of file with no complete line left. Stderr is drained meanwhile.
  std::optional<std::string> read_line(deadline until);

  /// Reads stdout lines until one contains `needle`; returns it, or nullopt (deadline/EOF).
  /// Lines read on the way are appended to `seen` when given.
  std::optional<std::string> wait_for_line(const std::string& needle, deadline until,
                                           std::vector<std::string>* seen = nullptr);

  void send_signal(int sig);

  /// Drains both pipes to end of file and reaps the child. Returns the wait status
  /// (use WIFEXITED etc.), or nullopt if the child did not exit before the deadline.
  std::optional<int> wait(deadline until);

  /// Everything the child wrote to stderr so far.
  const std::string& stderr_text() const { return stderr_; }

 private:
  /// Reads what is available on the pipes, waiting at most until `until`. False if nothing
  /// more can arrive (both pipes closed) or the deadline passed.
  bool pump(deadline until);
  std::optional<std::string> take_line();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string stdout_;
  std::string stderr_;
  std::optional<int> status_;
  std::string error_;
};

/// A fresh directory below $TMPDIR (or /tmp), removed with its contents when destroyed unless
/// LKSTREAM_KEEP_TEST_DIRS is set (then its path is kept for a post-mortem).
class temp_dir {
 public:
  explicit temp_dir(const std::string& prefix);
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// Writes `text` to `path` (truncating). False on failure.
bool write_file(const std::string& path, const std::string& text);

}  // namespace lkstream::testing
