#pragma once
// reserved_descriptor: one descriptor (/dev/null) the listener keeps open so that it can still
// accept when the process has run out (EMFILE/ENFILE). Without it, a connection waiting in the
// listen backlog can neither be served nor refused: its client hangs, and the listener's
// socket stays readable, so a naive accept loop spins at 100% CPU (issue 23). With it, the
// listener closes the reserve, accepts every waiting connection and closes each at once (its
// client sees end of file), then takes the reserve back: nginx's and libuv's technique.
//
// Another thread may take the freed descriptor in between; then fewer (or no) connections are
// closed this time and ensure() retries on the next occasion.
//
// Threading: the io thread only. Owns its descriptor (closed by the destructor).

#include <cstdint>

namespace lkstream::net {

class reserved_descriptor {
 public:
  reserved_descriptor() = default;
  ~reserved_descriptor();
  reserved_descriptor(const reserved_descriptor&) = delete;
  reserved_descriptor& operator=(const reserved_descriptor&) = delete;

  /// Opens the reserve if it is not held (start, and after a failed reopen); false if that
  /// failed (the process is still out of descriptors).
  bool ensure();
  /// Releases the reserve, accepts and closes the connections waiting on the non-blocking
  /// listening socket `listen_fd` (at most max_per_call), takes the reserve back. Returns how
  /// many were closed.
  uint64_t accept_and_close(int listen_fd);

  static constexpr uint64_t max_per_call = 4096;

 private:
  int fd_ = -1;
};

}  // namespace lkstream::net
