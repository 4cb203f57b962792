#pragma once
// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka uses them (KIP-84, KIP-554):
// credential derivation and the server side of one authentication exchange.
//
// Every primitive is OpenSSL's (PKCS5_PBKDF2_HMAC, HMAC, EVP digests, RAND_bytes,
// CRYPTO_memcmp); nothing here is hand-written cryptography, only RFC 5802's message syntax.
//
// A credential holds what RFC 5802 §3 lets a server keep: the salt, the iteration count,
// StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword,
// "Server Key"); never the password or SaltedPassword. Kafka's AlterUserScramCredentials
// carries SaltedPassword (the client derives it), from which credential_from_salted_password
// computes the stored form, exactly as Kafka's controller does.
//
// The exchange (scram_server), two client messages:
//   client-first  "n,," ["a=" authzid] "n=" user ",r=" client-nonce [",extensions"]
//   server-first  "r=" client-nonce server-nonce ",s=" base64(salt) ",i=" iterations
//   client-final  "c=" base64(gs2-header) ",r=" nonce ",p=" base64(ClientProof)
//   server-final  "v=" base64(ServerSignature)
// Channel binding ("p=" gs2 flag) is refused, as Kafka refuses it. Kafka's "tokenauth"
// extension (delegation tokens) is refused too: LKSTREAM has no delegation tokens.
//
// Threading: plain values; a scram_server belongs to one connection.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream::security {

/// Kafka's ScramMechanism type bytes (DescribeUserScramCredentials, AlterUserScramCredentials).
enum class scram_mechanism : int8_t { unknown = 0, sha_256 = 1, sha_512 = 2 };

/// "SCRAM-SHA-256" / "SCRAM-SHA-512" (the SASL mechanism names); "UNKNOWN" otherwise.
std::string_view to_string(scram_mechanism m) noexcept;
/// The mechanism of a SASL mechanism name; unknown when it is not a SCRAM one.
scram_mechanism scram_mechanism_from_name(std::string_view name) noexcept;
/// The mechanism of a Kafka type byte; unknown for any other value.
scram_mechanism scram_mechanism_from_type(int8_t type) noexcept;

/// Kafka's bounds on the iteration count (ScramMechanism.minIterations, the controller's
/// MAX_ITERATIONS), and the count `lkstream user create` uses by default.
inline constexpr int32_t scram_min_iterations = 4096;
inline constexpr int32_t scram_max_iterations = 16384;
inline constexpr int32_t scram_default_iterations = 8192;

struct scram_credential {
  scram_mechanism mechanism = scram_mechanism::unknown;
  int32_t iterations = 0;
  bytes salt;
  bytes stored_key;
  bytes server_key;

  friend bool operator==(const scram_credential&, const scram_credential&) = default;
};

/// Hi(password, salt, iterations) of RFC 5802 (PBKDF2 with the mechanism's HMAC).
/// Precondition: mechanism is known, iterations >= 1.
bytes scram_salted_password(scram_mechanism m, std::string_view password, bytes_view salt,
                            int32_t iterations);

/// The stored form of a SaltedPassword (what AlterUserScramCredentials sends).
scram_credential credential_from_salted_password(scram_mechanism m, bytes_view salt,
                                                 bytes_view salted_password, int32_t iterations);

/// A new credential for a password: a random 32-byte salt (RAND_bytes), `iterations` rounds.
/// invalid_argument for an unknown mechanism or an iteration count outside Kafka's bounds.
result<scram_credential> make_scram_credential(scram_mechanism m, std::string_view password,
                                               int32_t iterations = scram_default_iterations);

/// True when `password` derives `c`'s StoredKey (SASL/PLAIN checks passwords this way against
/// the SCRAM credentials, so one store serves both). Constant-time comparison.
bool scram_password_matches(const scram_credential& c, std::string_view password);

/// Standard base64 (RFC 4648) of `data`, and its inverse (nullopt for malformed text).
std::string base64_encode(bytes_view data);
std::optional<bytes> base64_decode(std::string_view text);

/// The server side of one SCRAM exchange.
class scram_server {
 public:
  /// Looks a user's credential of this mechanism up; nullopt when there is none.
  using lookup_fn = std::function<std::optional<scram_credential>(const std::string& user)>;

  /// `server_nonce`: the server's part of the nonce; empty (always, outside tests that replay
  /// RFC 7677's example) means 24 random bytes, base64.
  scram_server(scram_mechanism m, lookup_fn lookup, std::string server_nonce = {});

  /// What one step produced: a message for the client, or a failure. `done` after the
  /// server-final message: `user` then holds the authenticated user name.
  struct step_result {
    bool failed = false;
    std::string message;      // the server's next message (empty on failure)
    std::string error;        // why it failed, for the client (Kafka's wording) and the log
    bool done = false;
  };

  /// Feeds the client's next message. Any malformed, truncated or out-of-order message, an
  /// unknown user or a wrong proof fails the exchange; after a failure or after `done` every
  /// further step fails.
  step_result step(bytes_view client_message);

  const std::string& user() const noexcept { return user_; }

 private:
  step_result first_message(std::string_view msg);
  step_result final_message(std::string_view msg);
  step_result fail(std::string why);

  enum class state { expect_first, expect_final, done, failed };

  scram_mechanism mechanism_;
  lookup_fn lookup_;
  state state_ = state::expect_first;
  std::string user_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;  // client nonce + server nonce
  std::string gs2_header_;
  std::string fixed_server_nonce_;
  scram_credential credential_;
};

}  // namespace lkstream::security
