#include "delivery_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

namespace lkstream::python {

delivery_queue::~delivery_queue() {
  // Events still here keep their callback references: dropping them needs the GIL, which the
  // destroying thread may not hold. Owners drain the queue before letting it go.
  if (fd_ >= 0) ::close(fd_);
}

void delivery_queue::push(PyObject* callback, const delivery_report& r) {
  std::lock_guard g(m_);
  const bool was_empty = events_.empty();
  events_.push_back({callback, r.code, r.partition, r.offset, r.timestamp, std::string(r.topic),
                     std::string(r.message)});
  if (was_empty) {
    cv_.notify_all();
    if (fd_ >= 0) {
      uint64_t one = 1;
      (void)!::write(fd_, &one, sizeof one);
    }
  }
}

void delivery_queue::note(const delivery_report& r) {
  if (r.code == errc::ok) return;
  std::lock_guard g(m_);
  if (failed_++ == 0)
    first_failure_ = std::string(r.topic) + "-" + std::to_string(r.partition) + ": " +
                     std::string(to_string(r.code)) + ": " + std::string(r.message);
}

std::vector<delivery_event> delivery_queue::take() {
  std::vector<delivery_event> out;
  std::lock_guard g(m_);
  out.swap(events_);
  return out;
}

bool delivery_queue::wait(int64_t timeout_ms) {
  std::unique_lock lk(m_);
  return cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms), [&] { return !events_.empty(); });
}

size_t delivery_queue::size() {
  std::lock_guard g(m_);
  return events_.size();
}

std::pair<size_t, std::string> delivery_queue::take_failures() {
  std::lock_guard g(m_);
  std::pair<size_t, std::string> out{failed_, std::move(first_failure_)};
  failed_ = 0;
  first_failure_.clear();
  return out;
}

int delivery_queue::arm() {
  std::lock_guard g(m_);
  if (fd_ < 0) {
    fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd_ >= 0 && !events_.empty()) {
      uint64_t one = 1;
      (void)!::write(fd_, &one, sizeof one);
    }
  }
  return fd_;
}

void delivery_queue::clear_notification() {
  std::lock_guard g(m_);
  if (fd_ < 0) return;
  uint64_t n;
  (void)!::read(fd_, &n, sizeof n);
}

}  // namespace lkstream::python
