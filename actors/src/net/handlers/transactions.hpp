#pragma once
// The transaction APIs (versions in lkstream/kafka/supported_apis.hpp, fields in
// lkstream/kafka/transactions.hpp): AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and
// ListTransactions/DescribeTransactions ask the transaction coordinator
// (txn/txn_coordinator_api.hpp); TxnOffsetCommit asks the group for its KIP-447 checks first,
// then the coordinator, which keeps the offsets until the transaction commits;
// DescribeProducers asks each partition. InitProducerId with a transactional id is in
// init_producer_id.cpp.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_add_partitions_to_txn(const request_context& ctx,
                                  kafka::add_partitions_to_txn_request rq, reply_slot reply);
void handle_add_offsets_to_txn(const request_context& ctx, kafka::add_offsets_to_txn_request rq,
                               reply_slot reply);
void handle_end_txn(const request_context& ctx, kafka::end_txn_request rq, reply_slot reply);
void handle_txn_offset_commit(const request_context& ctx, kafka::txn_offset_commit_request rq,
                              reply_slot reply);
void handle_describe_producers(const request_context& ctx, kafka::describe_producers_request rq,
                               reply_slot reply);
void handle_describe_transactions(const request_context& ctx,
                                  kafka::describe_transactions_request rq, reply_slot reply);
void handle_list_transactions(const request_context& ctx, kafka::list_transactions_request rq,
                              reply_slot reply);

}  // namespace lkstream::net
