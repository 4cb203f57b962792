#pragma once
// SaslHandshake (17), SaslAuthenticate (36): authentication of a connection (issue 17).
//
// On a SASL_PLAINTEXT listener: SaslHandshake picks an enabled mechanism (else
// UNSUPPORTED_SASL_MECHANISM listing the enabled ones, and the connection closes), then each
// SaslAuthenticate carries one token of the exchange (security/sasl_exchange.hpp). Success
// makes the connection authenticated as User:<name>; SaslAuthenticate v1+ answers the session
// lifetime (KIP-368), and the client re-authenticates with a new handshake of the same
// mechanism and the same user before it ends. A failure is answered SASL_AUTHENTICATION_FAILED
// with Kafka's message after failed_authentication_delay_ms, and the connection closes; so do
// SaslAuthenticate without a handshake (ILLEGAL_SASL_STATE) and SaslHandshake v0 (its bare
// token framing is not implemented; every client since Kafka 1.0 uses v1).
//
// On a PLAINTEXT listener both answer ILLEGAL_SASL_STATE, as Kafka's KafkaApis does.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_sasl_handshake(const request_context& ctx, kafka::sasl_handshake_request rq,
                           reply_slot reply);
void handle_sasl_authenticate(const request_context& ctx, kafka::sasl_authenticate_request rq,
                              reply_slot reply);

}  // namespace lkstream::net
