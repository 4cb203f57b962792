#pragma once
// The server side of one SASL authentication, whatever the mechanism: PLAIN (RFC 4616) or
// SCRAM-SHA-256/512 (scram.hpp). The Kafka listener feeds it the SaslAuthenticate tokens.
//
// PLAIN's message is  [authzid] NUL authcid NUL password  and is checked against the user's
// SCRAM credentials (SHA-512 first, then SHA-256), so one credential store serves every
// mechanism and no password is ever stored. An authzid other than the user is refused, as
// Kafka refuses it. PLAIN costs one PBKDF2 per attempt (the iteration count), SCRAM none on
// the server.
//
// Failure messages are Kafka's (PlainSaslServer, ScramSaslServer), so clients print what they
// print against Kafka. Threading: belongs to one connection.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/types.hpp"
#include "lkstream/security/credential_store.hpp"
#include "lkstream/security/scram.hpp"

namespace lkstream::security {

/// The mechanisms LKSTREAM implements, by their SASL names.
inline constexpr std::string_view sasl_plain = "PLAIN";
bool is_known_sasl_mechanism(std::string_view name) noexcept;

class sasl_exchange {
 public:
  /// Precondition: is_known_sasl_mechanism(mechanism). `store` must outlive the exchange.
  sasl_exchange(std::string mechanism, const credential_store& store);
  // The SCRAM lookup refers to this object: it stays where it was made.
  sasl_exchange(const sasl_exchange&) = delete;
  sasl_exchange& operator=(const sasl_exchange&) = delete;

  struct step_result {
    bool failed = false;
    bytes response;     // the server's token for the client
    std::string error;  // why it failed (Kafka's wording)
    bool done = false;  // authenticated: user() is the principal's name
  };

  step_result step(bytes_view token);

  const std::string& mechanism() const noexcept { return mechanism_; }
  /// The authenticated user (valid once a step returned done).
  const std::string& user() const noexcept { return user_; }

 private:
  step_result plain(bytes_view token);

  std::string mechanism_;
  const credential_store& store_;
  std::optional<scram_server> scram_;
  bool finished_ = false;
  std::string user_;
};

}  // namespace lkstream::security
