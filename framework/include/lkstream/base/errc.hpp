#pragma once
// Error codes of the LKSTREAM engine, mapped to std::error_code. Kafka wire error codes are a
// separate enum that lives with the protocol code; this one describes engine conditions.

#include <cstdint>
#include <string_view>
#include <system_error>

namespace lkstream {

enum class errc : uint8_t {
  ok = 0,
  io_error,             // an OS call failed (message carries path and strerror)
  no_space,             // ENOSPC / EDQUOT: the append was refused, the log is unchanged
  corrupt_batch,        // a record batch failed structural validation
  crc_mismatch,         // a record batch's CRC-32C does not match its bytes
  message_too_large,    // a batch or record exceeds the configured limit
  invalid_argument,     // a caller passed something the API does not accept
  unknown_topic,        // topic (or partition of it) does not exist
  topic_exists,         // create_topic for a name already taken
  offset_out_of_range,  // read below the log start or above the end offset
  data_dir_locked,      // another process holds the data directory lock
  config_error,         // configuration file or value invalid (message names file:line:col)
  closed,               // the object or engine was closed / shut down
  timeout,              // an operation did not complete in the allowed time
  unknown_member,       // consumer group: member id not known to the coordinator
  illegal_generation,   // consumer group: stale generation
  rebalance_in_progress,// consumer group: a rebalance is running, rejoin
  not_found,            // a file or entry that should exist does not
  duplicate_sequence,   // idempotent producer: batch already appended
  out_of_order_sequence,// idempotent producer: sequence gap
  unsupported,          // a feature (e.g. a compression codec) is not supported here
  invalid_record,       // a record the topic refuses (a record without a key in a compacted
                        //   topic); Kafka's INVALID_RECORD
  invalid_producer_epoch,  // a transactional batch or marker of an epoch older than the
                           //   producer's current one (a fenced zombie)
  invalid_txn_state,    // a batch that contradicts the producer's transaction (plain data
                        //   while its transaction is open, a control batch from a client)
  producer_fenced,      // transaction coordinator: a newer producer took the transactional id
};

/// Short stable name of a code, e.g. "no_space".
std::string_view to_string(errc code) noexcept;

const std::error_category& engine_category() noexcept;

inline std::error_code make_error_code(errc code) noexcept {
  return {static_cast<int>(code), engine_category()};
}

}  // namespace lkstream

template <>
struct std::is_error_code_enum<lkstream::errc> : std::true_type {};
