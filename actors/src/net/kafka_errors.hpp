#pragma once
// Engine conditions (lkstream::errc) and group outcomes as Kafka wire error codes.

#include "lkstream/base/errc.hpp"
#include "lkstream/group/group_error.hpp"
#include "lkstream/kafka/error_code.hpp"

namespace lkstream::net {

/// The Kafka code a client should see for an engine error. `closed` (partition deleted or the
/// engine shutting down) becomes NOT_LEADER_OR_FOLLOWER, which clients retry after refreshing
/// metadata; storage failures become KAFKA_STORAGE_ERROR.
kafka::error_code to_kafka_error(errc code) noexcept;

/// group_error values are Kafka's own numbers.
inline kafka::error_code to_kafka_error(group::group_error e) noexcept {
  return kafka::from_wire(group::wire_code(e));
}

}  // namespace lkstream::net
