// The one place that maps a decoded request to its handler. Versions were checked by the
// codec against lkstream/kafka/supported_apis.hpp before this runs.
#include "net/handlers/handler.hpp"

#include "net/handlers/api_versions.hpp"
#include "net/handlers/metadata.hpp"
#include "net/handlers/produce.hpp"
#include "net/handlers/fetch.hpp"
#include "net/handlers/list_offsets.hpp"
#include "net/handlers/find_coordinator.hpp"
#include "net/handlers/join_group.hpp"
#include "net/handlers/sync_group.hpp"
#include "net/handlers/heartbeat.hpp"
#include "net/handlers/leave_group.hpp"
#include "net/handlers/offset_commit.hpp"
#include "net/handlers/offset_fetch.hpp"
#include "net/handlers/describe_groups.hpp"
#include "net/handlers/list_groups.hpp"
#include "net/handlers/init_producer_id.hpp"
#include "net/handlers/create_topics.hpp"
#include "net/handlers/delete_topics.hpp"
#include "net/handlers/describe_configs.hpp"
#include "net/handlers/create_partitions.hpp"
#include "net/handlers/delete_records.hpp"
#include "net/handlers/delete_groups.hpp"
#include "net/handlers/offset_delete.hpp"
#include "net/handlers/alter_configs.hpp"
#include "net/handlers/incremental_alter_configs.hpp"
#include "net/handlers/describe_cluster.hpp"
#include "net/handlers/describe_log_dirs.hpp"
#include "net/handlers/list_partition_reassignments.hpp"
#include "net/handlers/acls.hpp"
#include "net/handlers/transactions.hpp"
#include "net/handlers/sasl.hpp"
#include "net/handlers/user_scram_credentials.hpp"

namespace lkstream::net {
namespace {

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace

request_order order_of(const listener_core& core, const kafka::request_body& body) {
  // Creating partitions changes the metadata too; changing configs changes what the io thread
  // reads of a topic (max.message.bytes at Produce), so a later request sees the new value.
  if (std::holds_alternative<kafka::create_topics_request>(body) ||
      std::holds_alternative<kafka::delete_topics_request>(body) ||
      std::holds_alternative<kafka::create_partitions_request>(body) ||
      std::holds_alternative<kafka::alter_configs_request>(body) ||
      std::holds_alternative<kafka::incremental_alter_configs_request>(body))
    return request_order::exclusive;
  if (auto* md = std::get_if<kafka::metadata_request>(&body))
    return topics_to_auto_create(core, *md).empty() ? request_order::concurrent
                                                    : request_order::exclusive;
  return request_order::concurrent;
}

void dispatch(request_context ctx, kafka::request_body body, reply_slot reply) {
  std::visit(overloaded{
    [&](kafka::api_versions_request& rq) { handle_api_versions(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::metadata_request& rq) { handle_metadata(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::produce_request& rq) { handle_produce(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::fetch_request& rq) { handle_fetch(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::list_offsets_request& rq) { handle_list_offsets(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::find_coordinator_request& rq) { handle_find_coordinator(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::join_group_request& rq) { handle_join_group(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::sync_group_request& rq) { handle_sync_group(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::heartbeat_request& rq) { handle_heartbeat(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::leave_group_request& rq) { handle_leave_group(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::offset_commit_request& rq) { handle_offset_commit(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::offset_fetch_request& rq) { handle_offset_fetch(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::describe_groups_request& rq) { handle_describe_groups(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::list_groups_request& rq) { handle_list_groups(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::init_producer_id_request& rq) { handle_init_producer_id(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::create_topics_request& rq) { handle_create_topics(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::delete_topics_request& rq) { handle_delete_topics(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::describe_configs_request& rq) { handle_describe_configs(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::create_partitions_request& rq) { handle_create_partitions(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::delete_records_request& rq) { handle_delete_records(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::delete_groups_request& rq) { handle_delete_groups(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::offset_delete_request& rq) { handle_offset_delete(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::alter_configs_request& rq) { handle_alter_configs(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::incremental_alter_configs_request& rq) { handle_incremental_alter_configs(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::describe_cluster_request& rq) { handle_describe_cluster(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::describe_log_dirs_request& rq) { handle_describe_log_dirs(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::list_partition_reassignments_request& rq) { handle_list_partition_reassignments(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::describe_acls_request& rq) { handle_describe_acls(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::create_acls_request& rq) { handle_create_acls(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::delete_acls_request& rq) { handle_delete_acls(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::add_partitions_to_txn_request& rq) { handle_add_partitions_to_txn(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::add_offsets_to_txn_request& rq) { handle_add_offsets_to_txn(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::end_txn_request& rq) { handle_end_txn(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::txn_offset_commit_request& rq) { handle_txn_offset_commit(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::describe_producers_request& rq) { handle_describe_producers(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::describe_transactions_request& rq) { handle_describe_transactions(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::list_transactions_request& rq) { handle_list_transactions(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::sasl_handshake_request& rq) { handle_sasl_handshake(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::sasl_authenticate_request& rq) { handle_sasl_authenticate(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::describe_user_scram_credentials_request& rq) { handle_describe_user_scram_credentials(ctx, std::move(rq), std::move(reply)); },
    [&](kafka::alter_user_scram_credentials_request& rq) { handle_alter_user_scram_credentials(ctx, std::move(rq), std::move(reply)); },
  }, body);
}

}  // namespace lkstream::net
