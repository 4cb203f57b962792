#pragma once
// Every type that travels in a message between the engine's actors, allowed in one place.
//
// CAF 0.17 requires a message element to be inspectable or allowed by
// CAF_ALLOW_UNSAFE_MESSAGE_TYPE. Ours are plain copyable structs and shared pointers to
// immutable buffers: local messages only (nothing is ever sent to a remote node), so none
// needs serialization. Allowing a type twice is an error CAF reports far from the cause: add a
// new message type here, and nowhere else. Spawn arguments are not message types: actors get
// their configuration through the spawn lambda's capture.

#include <caf/all.hpp>

#include <memory>

#include "lkstream/base/types.hpp"
#include "lkstream/config/config.hpp"
#include "lkstream/group/group_requests.hpp"
#include "lkstream/partition/partition_types.hpp"
#include "lkstream/pipeline/batch.hpp"
#include "lkstream/storage/file_system.hpp"
#include "lkstream/storage/log.hpp"
#include "lkstream/storage/log_cleaner.hpp"
#include "lkstream/txn/txn_requests.hpp"

// Partitions (partition/partition_api.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::partition::append_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::partition::append_sink_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::partition::fetch_sink_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::partition::fetch_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::partition::partition_description)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::storage::log_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::offset)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::partition_id)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::storage::cleaning_input)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::storage::cleaning_swap)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::partition::producer_description_list)
// Transaction coordinator (txn/txn_coordinator_api.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::txn::txn_partition_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::txn::txn_offset_commit_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::txn::txn_metadata_list)
// Topic registry (topic/topic_registry_api.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::config::topic_settings)
// File syncer (file_syncer_api.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<lkstream::storage::file>)
// Consumer groups (group/group_api.hpp). They hold std::optional, which CAF 0.17 cannot inspect.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::join_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::join_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::sync_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::sync_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::heartbeat_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::group_error)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::leave_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::leave_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_commit_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_commit_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_fetch_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_fetch_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::group_description)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::group_listing_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::delete_topic_offsets_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::delete_group_offsets_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_delete_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_delete_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::delete_group_result)
// Pipelines (pipeline/pipeline_messages.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::pipeline_detail::batch_ptr)
