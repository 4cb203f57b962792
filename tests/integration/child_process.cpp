#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

extern char** environ;

namespace lkstream::testing {

child_process::child_process(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    error_ = std::string("pipe2: ") + std::strerror(errno);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
  if (rc != 0) {
    error_ = "posix_spawn " + argv[0] + ": " + std::strerror(rc);
    return;
  }
  pid_ = pid;
}

child_process::~child_process() {
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGKILL);
    int st = 0;
    while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

bool child_process::pump(deadline until) {
  if (out_fd_ < 0 && err_fd_ < 0) return false;
  pollfd fds[2];
  int n = 0;
  for (int fd : {out_fd_, err_fd_})
    if (fd >= 0) fds[n++] = pollfd{fd, POLLIN, 0};
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
  int timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
  int rc = poll(fds, n, timeout);
  if (rc < 0) return errno == EINTR;
  if (rc == 0) return false;
  char buf[65536];
  for (int i = 0; i < n; ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t got = read(fds[i].fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    int& fd = fds[i].fd == out_fd_ ? out_fd_ : err_fd_;
    std::string& sink = fds[i].fd == out_fd_ ? stdout_ : stderr_;
    if (got <= 0) {
      close(fd);
      fd = -1;
    } else {
      sink.append(buf, static_cast<size_t>(got));
    }
  }
  return true;
}

std::optional<std::string> child_process::take_line() {
  auto nl = stdout_.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  std::string line = stdout_.substr(0, nl);
  stdout_.erase(0, nl + 1);
  return line;
}

std::optional<std::string> child_process::read_line(deadline until) {
  for (;;) {
    if (auto line = take_line()) return line;
    if (out_fd_ < 0) return std::nullopt;  // EOF; a partial last line is not a line
    if (!pump(until) && std::chrono::steady_clock::now() >= until) return std::nullopt;
  }
}

std::optional<std::string> child_process::wait_for_line(const std::string& needle, deadline until,
                                                        std::vector<std::string>* seen) {
  while (auto line = read_line(until)) {
    if (seen) seen->push_back(*line);
    if (line->find(needle) != std::string::npos) return line;
  }
  return std::nullopt;
}

void child_process::send_signal(int sig) {
  if (pid_ > 0 && !status_) kill(pid_, sig);
}

std::optional<int> child_process::wait(deadline until) {
  if (pid_ <= 0) return std::nullopt;
  if (status_) return status_;
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    if (!pump(until) && std::chrono::steady_clock::now() >= until) return std::nullopt;
  }
  // Both pipes are closed: the child has exited or is exiting (our children never close
  // their stdio early), so a blocking waitpid returns promptly.
  int st = 0;
  while (waitpid(pid_, &st, 0) < 0)
    if (errno != EINTR) return std::nullopt;
  status_ = st;
  return status_;
}

temp_dir::temp_dir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data())) path_ = buf.data();
}

temp_dir::~temp_dir() {
  if (path_.empty() || std::getenv("LKSTREAM_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f.flush());
}

}  // namespace lkstream::testing
