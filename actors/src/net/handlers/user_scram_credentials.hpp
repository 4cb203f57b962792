#pragma once
// DescribeUserScramCredentials (50) and AlterUserScramCredentials (51), KIP-554: the SCRAM
// credentials of listener_core::credentials, answered as Kafka 4.4's controller and metadata
// image answer (ScramControlManager, ScramImage): RESOURCE_NOT_FOUND for an unknown user or a
// deletion of a missing credential, DUPLICATE_RESOURCE for a user named twice,
// UNACCEPTABLE_CREDENTIAL for an empty name or iterations outside 4096..16384,
// UNSUPPORTED_SASL_MECHANISM for a mechanism byte other than 1 and 2. An alteration is saved
// to DATA_DIR/scram-credentials before it is answered; a failed save answers every user of
// the request UNKNOWN_SERVER_ERROR and keeps the previous credentials.
//
// Without an authorizer (issue 17 step b) every authenticated principal may call them, as in
// Kafka without authorizer.class.name.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_describe_user_scram_credentials(const request_context& ctx,
                                            kafka::describe_user_scram_credentials_request rq,
                                            reply_slot reply);
void handle_alter_user_scram_credentials(const request_context& ctx,
                                         kafka::alter_user_scram_credentials_request rq,
                                         reply_slot reply);

}  // namespace lkstream::net
