#include "net/handlers/acls.hpp"

namespace lkstream::net {
namespace {

constexpr const char* no_authorizer = "No Authorizer is configured.";

}  // namespace

void handle_describe_acls(const request_context&, kafka::describe_acls_request,
                          reply_slot reply) {
  kafka::describe_acls_response resp;
  resp.error = kafka::error_code::security_disabled;
  resp.error_message = no_authorizer;
  reply.send(std::move(resp));
}

void handle_create_acls(const request_context&, kafka::create_acls_request rq, reply_slot reply) {
  kafka::create_acls_response resp;
  for (size_t i = 0; i < rq.creations.size(); ++i)
    resp.results.push_back({kafka::error_code::security_disabled, no_authorizer});
  reply.send(std::move(resp));
}

void handle_delete_acls(const request_context&, kafka::delete_acls_request rq, reply_slot reply) {
  kafka::delete_acls_response resp;
  for (size_t i = 0; i < rq.filters.size(); ++i)
    resp.filter_results.push_back({kafka::error_code::security_disabled, no_authorizer, {}});
  reply.send(std::move(resp));
}

}  // namespace lkstream::net
