#pragma once
// DescribeAcls (29), CreateAcls (30), DeleteAcls (31): versions as listed for their keys in
// lkstream/kafka/supported_apis.hpp. LKSTREAM has no authorizer yet, so every ACL request is
// answered SECURITY_DISABLED ("No Authorizer is configured."), exactly as a Kafka broker
// without authorizer.class.name answers it; admin tools report that clearly.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_describe_acls(const request_context& ctx, kafka::describe_acls_request rq,
                          reply_slot reply);
void handle_create_acls(const request_context& ctx, kafka::create_acls_request rq,
                        reply_slot reply);
void handle_delete_acls(const request_context& ctx, kafka::delete_acls_request rq,
                        reply_slot reply);

}  // namespace lkstream::net
