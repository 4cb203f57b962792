#include "net/handlers/sasl.hpp"

#include <algorithm>
#include <chrono>

#include "lkstream/process/log_throttle.hpp"

namespace lkstream::net {
namespace {

// Answers after the configured delay, then the connection closes (it stops reading at once).
template <class Response>
void fail_and_close(const request_context& ctx, Response resp, reply_slot reply,
                    const std::string& why, bool delay) {
  auto& conn = *ctx.conn;
  conn.auth().failed = true;
  conn.auth().exchange.reset();
  // Rate-limited per kind of failure (lines that differ only in numbers share a limit), so
  // a flood of failed logins costs a few lines a minute.
  const std::string line = "connection from " + conn.peer() + ": " + why + "; closing";
  ctx.core.log_limited(process::similar_key(line), line);
  conn.drain();
  const int64_t ms = delay ? ctx.core.opts.security.failed_authentication_delay_ms : 0;
  if (ms <= 0) {
    reply.send(std::move(resp));
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(ctx.core.io, std::chrono::milliseconds(ms));
  timer->async_wait([timer, resp = std::move(resp), reply = std::move(reply)](
                        const asio::error_code&) mutable { reply.send(std::move(resp)); });
}

}  // namespace

void handle_sasl_handshake(const request_context& ctx, kafka::sasl_handshake_request rq,
                           reply_slot reply) {
  kafka::sasl_handshake_response resp;
  if (!ctx.core.requires_sasl()) {
    resp.error = kafka::error_code::illegal_sasl_state;
    reply.send(std::move(resp));
    return;
  }
  const auto& enabled = ctx.core.opts.security.sasl_mechanisms;
  resp.mechanisms = enabled;
  auto& auth = ctx.conn->auth();
  if (ctx.version() == 0) {
    resp.error = kafka::error_code::unsupported_sasl_mechanism;
    fail_and_close(ctx, std::move(resp), std::move(reply),
                   "SaslHandshake v0 (bare SASL tokens) is not supported; use v1", false);
    return;
  }
  if (auth.exchange) {
    resp.error = kafka::error_code::illegal_sasl_state;
    fail_and_close(ctx, std::move(resp), std::move(reply),
                   "a second SaslHandshake before the exchange finished", false);
    return;
  }
  if (std::find(enabled.begin(), enabled.end(), rq.mechanism) == enabled.end() ||
      !security::is_known_sasl_mechanism(rq.mechanism)) {
    resp.error = kafka::error_code::unsupported_sasl_mechanism;
    fail_and_close(ctx, std::move(resp), std::move(reply),
                   "SASL mechanism \"" + rq.mechanism + "\" is not enabled", false);
    return;
  }
  if (auth.authenticated && rq.mechanism != auth.mechanism) {
    // KIP-368: re-authentication keeps the mechanism of the first authentication.
    resp.error = kafka::error_code::illegal_sasl_state;
    fail_and_close(ctx, std::move(resp), std::move(reply),
                   "re-authentication with " + rq.mechanism + " after " + auth.mechanism, false);
    return;
  }
  auth.mechanism = rq.mechanism;
  auth.exchange.emplace(rq.mechanism, ctx.core.credentials);
  reply.send(std::move(resp));
}

void handle_sasl_authenticate(const request_context& ctx, kafka::sasl_authenticate_request rq,
                              reply_slot reply) {
  kafka::sasl_authenticate_response resp;
  if (!ctx.core.requires_sasl()) {
    resp.error = kafka::error_code::illegal_sasl_state;
    resp.error_message = "SaslAuthenticate request received after successful authentication";
    reply.send(std::move(resp));
    return;
  }
  auto& auth = ctx.conn->auth();
  if (!auth.exchange) {
    resp.error = kafka::error_code::illegal_sasl_state;
    resp.error_message = "Unexpected SaslAuthenticate request without a SaslHandshake";
    std::string why = *resp.error_message;
    fail_and_close(ctx, std::move(resp), std::move(reply), why, false);
    return;
  }
  auto step = auth.exchange->step(rq.auth_bytes);
  if (step.failed) {
    resp.error = kafka::error_code::sasl_authentication_failed;
    // Kafka passes its SaslAuthenticationException messages ("Authentication failed: ...")
    // on and hides the details of malformed exchanges behind one sentence.
    resp.error_message =
        step.error.starts_with("Authentication failed")
            ? step.error
            : "Authentication failed during authentication due to invalid credentials with "
              "SASL mechanism " + auth.mechanism;
    fail_and_close(ctx, std::move(resp), std::move(reply),
                   auth.mechanism + " authentication failed: " + step.error, true);
    return;
  }
  resp.auth_bytes = std::move(step.response);
  if (!step.done) {
    reply.send(std::move(resp));
    return;
  }
  const std::string principal = "User:" + auth.exchange->user();
  auth.exchange.reset();
  if (auth.authenticated && principal != auth.principal) {
    resp = {};
    resp.error = kafka::error_code::sasl_authentication_failed;
    resp.error_message = "Cannot change principals during re-authentication from " +
                         auth.principal + ": " + principal;
    std::string why = *resp.error_message;
    fail_and_close(ctx, std::move(resp), std::move(reply), why, true);
    return;
  }
  auth.authenticated = true;
  auth.principal = principal;
  const int64_t lifetime = ctx.core.opts.security.sasl_session_lifetime_ms;
  if (lifetime > 0) {
    auth.session_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(lifetime);
    resp.session_lifetime_ms = lifetime;
  } else {
    auth.session_end.reset();
  }
  reply.send(std::move(resp));
}

}  // namespace lkstream::net
