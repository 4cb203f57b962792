#include "net/kafka_errors.hpp"

namespace lkstream::net {

kafka::error_code to_kafka_error(errc code) noexcept {
  using kafka::error_code;
  switch (code) {
    case errc::ok: return error_code::none;
    case errc::corrupt_batch:
    case errc::crc_mismatch: return error_code::corrupt_message;
    case errc::message_too_large: return error_code::message_too_large;
    case errc::unknown_topic: return error_code::unknown_topic_or_partition;
    case errc::topic_exists: return error_code::topic_already_exists;
    case errc::offset_out_of_range: return error_code::offset_out_of_range;
    case errc::closed: return error_code::not_leader_or_follower;
    case errc::io_error:
    case errc::no_space: return error_code::kafka_storage_error;
    case errc::timeout: return error_code::request_timed_out;
    case errc::out_of_order_sequence: return error_code::out_of_order_sequence_number;
    case errc::duplicate_sequence: return error_code::duplicate_sequence_number;
    case errc::config_error: return error_code::invalid_config;
    case errc::invalid_argument: return error_code::invalid_request;
    case errc::unknown_member: return error_code::unknown_member_id;
    case errc::illegal_generation: return error_code::illegal_generation;
    case errc::rebalance_in_progress: return error_code::rebalance_in_progress;
    case errc::unsupported: return error_code::unsupported_compression_type;
    case errc::invalid_record: return error_code::invalid_record;
    case errc::invalid_producer_epoch: return error_code::invalid_producer_epoch;
    case errc::invalid_txn_state: return error_code::invalid_txn_state;
    case errc::producer_fenced: return error_code::producer_fenced;
    default: return error_code::unknown_server_error;
  }
}

}  // namespace lkstream::net
