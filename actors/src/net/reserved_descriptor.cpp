#include "net/reserved_descriptor.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace lkstream::net {

reserved_descriptor::~reserved_descriptor() {
  if (fd_ >= 0) ::close(fd_);
}

bool reserved_descriptor::ensure() {
  if (fd_ < 0) fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  return fd_ >= 0;
}

uint64_t reserved_descriptor::accept_and_close(int listen_fd) {
  if (!ensure()) return 0;
  ::close(fd_);
  fd_ = -1;
  uint64_t closed = 0;
  while (closed < max_per_call) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      break;  // EAGAIN: none left waiting; EMFILE: another thread took the descriptor
    }
    ::close(fd);
    ++closed;
  }
  ensure();
  return closed;
}

}  // namespace lkstream::net
