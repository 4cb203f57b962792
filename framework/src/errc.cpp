#include "lkstream/base/errc.hpp"

#include "lkstream/base/result.hpp"

namespace lkstream {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::ok: return "ok";
    case errc::io_error: return "io_error";
    case errc::no_space: return "no_space";
    case errc::corrupt_batch: return "corrupt_batch";
    case errc::crc_mismatch: return "crc_mismatch";
    case errc::message_too_large: return "message_too_large";
    case errc::invalid_argument: return "invalid_argument";
    case errc::unknown_topic: return "unknown_topic";
    case errc::topic_exists: return "topic_exists";
    case errc::offset_out_of_range: return "offset_out_of_range";
    case errc::data_dir_locked: return "data_dir_locked";
    case errc::config_error: return "config_error";
    case errc::closed: return "closed";
    case errc::timeout: return "timeout";
    case errc::unknown_member: return "unknown_member";
    case errc::illegal_generation: return "illegal_generation";
    case errc::rebalance_in_progress: return "rebalance_in_progress";
    case errc::not_found: return "not_found";
    case errc::duplicate_sequence: return "duplicate_sequence";
    case errc::out_of_order_sequence: return "out_of_order_sequence";
    case errc::unsupported: return "unsupported";
    case errc::invalid_record: return "invalid_record";
    case errc::invalid_producer_epoch: return "invalid_producer_epoch";
    case errc::invalid_txn_state: return "invalid_txn_state";
    case errc::producer_fenced: return "producer_fenced";
  }
  return "unknown";
}

namespace {
class engine_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lkstream"; }
  std::string message(int c) const override { return std::string(to_string(static_cast<errc>(c))); }
};
}  // namespace

const std::error_category& engine_category() noexcept {
  static const engine_category_impl instance;
  return instance;
}

std::string error::to_string() const {
  std::string s(lkstream::to_string(code));
  if (!message.empty()) {
    s += ": ";
    s += message;
  }
  return s;
}

}  // namespace lkstream
