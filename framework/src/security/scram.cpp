#include "lkstream/security/scram.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cassert>
#include <cctype>
#include <vector>

namespace lkstream::security {
namespace {

const EVP_MD* digest_of(scram_mechanism m) {
  return m == scram_mechanism::sha_512 ? EVP_sha512() : EVP_sha256();
}

bytes hmac(scram_mechanism m, bytes_view key, bytes_view data) {
  bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  HMAC(digest_of(m), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

bytes hash(scram_mechanism m, bytes_view data) {
  bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
             digest_of(m), nullptr);
  out.resize(len);
  return out;
}

bytes_view text_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

bool equal_constant_time(bytes_view a, bytes_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Splits "k=v,k=v" into attributes; nullopt when one is not "<letter>=...".
std::optional<std::vector<std::pair<char, std::string_view>>> attributes(std::string_view s) {
  std::vector<std::pair<char, std::string_view>> out;
  while (true) {
    auto comma = s.find(',');
    auto part = s.substr(0, comma);
    if (part.size() < 2 || part[1] != '=') return std::nullopt;
    out.emplace_back(part[0], part.substr(2));
    if (comma == std::string_view::npos) break;
    s = s.substr(comma + 1);
  }
  return out;
}

// RFC 5802 saslname: "=2C" is ',', "=3D" is '='; any other '=' is malformed.
std::optional<std::string> decode_saslname(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out += s[i];
      continue;
    }
    auto esc = s.substr(i + 1, 2);
    if (esc == "2C") out += ',';
    else if (esc == "3D") out += '=';
    else return std::nullopt;
    i += 2;
  }
  return out;
}

bool printable_nonce(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n)
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  return true;
}

constexpr std::string_view invalid_credentials = "Authentication failed: Invalid user credentials";

}  // namespace

std::string_view to_string(scram_mechanism m) noexcept {
  switch (m) {
    case scram_mechanism::sha_256: return "SCRAM-SHA-256";
    case scram_mechanism::sha_512: return "SCRAM-SHA-512";
    case scram_mechanism::unknown: break;
  }
  return "UNKNOWN";
}

scram_mechanism scram_mechanism_from_name(std::string_view name) noexcept {
  if (name == "SCRAM-SHA-256") return scram_mechanism::sha_256;
  if (name == "SCRAM-SHA-512") return scram_mechanism::sha_512;
  return scram_mechanism::unknown;
}

scram_mechanism scram_mechanism_from_type(int8_t type) noexcept {
  if (type == 1) return scram_mechanism::sha_256;
  if (type == 2) return scram_mechanism::sha_512;
  return scram_mechanism::unknown;
}

bytes scram_salted_password(scram_mechanism m, std::string_view password, bytes_view salt,
                            int32_t iterations) {
  assert(m != scram_mechanism::unknown && iterations >= 1);
  bytes out(static_cast<size_t>(EVP_MD_get_size(digest_of(m))));
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, digest_of(m),
                    static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

scram_credential credential_from_salted_password(scram_mechanism m, bytes_view salt,
                                                 bytes_view salted_password, int32_t iterations) {
  scram_credential c;
  c.mechanism = m;
  c.iterations = iterations;
  c.salt.assign(salt.begin(), salt.end());
  c.stored_key = hash(m, hmac(m, salted_password, text_bytes("Client Key")));
  c.server_key = hmac(m, salted_password, text_bytes("Server Key"));
  return c;
}

result<scram_credential> make_scram_credential(scram_mechanism m, std::string_view password,
                                               int32_t iterations) {
  if (m == scram_mechanism::unknown)
    return error{errc::invalid_argument, "unknown SCRAM mechanism"};
  if (iterations < scram_min_iterations || iterations > scram_max_iterations)
    return error{errc::invalid_argument,
                 "iterations must be in " + std::to_string(scram_min_iterations) + ".." +
                     std::to_string(scram_max_iterations) + ", got " + std::to_string(iterations)};
  bytes salt(32);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    return error{errc::io_error, "RAND_bytes failed: no random salt"};
  return credential_from_salted_password(m, salt,
                                         scram_salted_password(m, password, salt, iterations),
                                         iterations);
}

bool scram_password_matches(const scram_credential& c, std::string_view password) {
  if (c.mechanism == scram_mechanism::unknown || c.iterations < 1) return false;
  auto derived = credential_from_salted_password(
      c.mechanism, c.salt, scram_salted_password(c.mechanism, password, c.salt, c.iterations),
      c.iterations);
  return equal_constant_time(derived.stored_key, c.stored_key);
}

std::string base64_encode(bytes_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool pad_ok = c == '=' && i + 2 >= text.size() && (i + 1 == text.size() || text[i + 1] == '=');
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || pad_ok))
      return std::nullopt;
  }
  bytes out(text.size() / 4 * 3 + 1);
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

scram_server::scram_server(scram_mechanism m, lookup_fn lookup, std::string server_nonce)
    : mechanism_(m), lookup_(std::move(lookup)), fixed_server_nonce_(std::move(server_nonce)) {}

scram_server::step_result scram_server::fail(std::string why) {
  state_ = state::failed;
  return {.failed = true, .error = std::move(why)};
}

scram_server::step_result scram_server::step(bytes_view client_message) {
  std::string_view msg(reinterpret_cast<const char*>(client_message.data()), client_message.size());
  switch (state_) {
    case state::expect_first: return first_message(msg);
    case state::expect_final: return final_message(msg);
    case state::done: return fail("Authentication failed: SCRAM exchange already complete");
    case state::failed: break;
  }
  return fail("Authentication failed: SCRAM exchange already failed");
}

scram_server::step_result scram_server::first_message(std::string_view msg) {
  // gs2-header: cbind flag "," [authzid] ","
  auto c1 = msg.find(',');
  if (c1 == std::string_view::npos) return fail("Invalid SCRAM client first message: no GS2 header");
  auto flag = msg.substr(0, c1);
  if (flag.starts_with("p=")) return fail("Invalid SCRAM client first message: channel binding is not supported");
  if (flag != "n" && flag != "y") return fail("Invalid SCRAM client first message: bad GS2 flag");
  auto c2 = msg.find(',', c1 + 1);
  if (c2 == std::string_view::npos) return fail("Invalid SCRAM client first message: truncated GS2 header");
  auto authzid_attr = msg.substr(c1 + 1, c2 - c1 - 1);
  std::optional<std::string> authzid;
  if (!authzid_attr.empty()) {
    if (!authzid_attr.starts_with("a=")) return fail("Invalid SCRAM client first message: bad authzid");
    authzid = decode_saslname(authzid_attr.substr(2));
    if (!authzid) return fail("Invalid SCRAM client first message: bad authzid");
  }
  gs2_header_ = std::string(msg.substr(0, c2 + 1));
  client_first_bare_ = std::string(msg.substr(c2 + 1));
  // n=USER,r=NONCE, then Kafka's extensions (key=value with longer keys, KIP-342).
  std::vector<std::string_view> parts;
  for (std::string_view rest = client_first_bare_;;) {
    auto comma = rest.find(',');
    parts.push_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (parts.size() < 2 || !parts[0].starts_with("n=") || !parts[1].starts_with("r="))
    return fail("Invalid SCRAM client first message: expected n=USER,r=NONCE");
  for (size_t i = 2; i < parts.size(); ++i) {
    if (parts[i].starts_with("tokenauth="))
      return fail("Authentication failed: delegation tokens are not supported");
    if (parts[i].find('=') == std::string_view::npos || parts[i].front() == '=')
      return fail("Invalid SCRAM client first message: malformed extension");
  }
  auto user = decode_saslname(parts[0].substr(2));
  if (!user || user->empty()) return fail("Invalid SCRAM client first message: bad user name");
  if (authzid && !authzid->empty() && *authzid != *user)
    return fail("Authentication failed: Client requested an authorization id that is different from username");
  auto client_nonce = parts[1].substr(2);
  if (!printable_nonce(client_nonce)) return fail("Invalid SCRAM client first message: bad nonce");
  auto cred = lookup_(*user);
  if (!cred || cred->mechanism != mechanism_) return fail(std::string(invalid_credentials));
  user_ = *user;
  credential_ = std::move(*cred);
  std::string server_nonce = fixed_server_nonce_;
  if (server_nonce.empty()) {
    std::byte random[24];
    if (RAND_bytes(reinterpret_cast<unsigned char*>(random), sizeof random) != 1)
      return fail("Authentication failed: no random nonce");
    server_nonce = base64_encode(random);
  }
  nonce_ = std::string(client_nonce) + server_nonce;
  server_first_ = "r=" + nonce_ + ",s=" + base64_encode(credential_.salt) +
                  ",i=" + std::to_string(credential_.iterations);
  state_ = state::expect_final;
  return {.message = server_first_};
}

scram_server::step_result scram_server::final_message(std::string_view msg) {
  auto proof_at = msg.rfind(",p=");
  if (proof_at == std::string_view::npos) return fail("Invalid SCRAM client final message: no proof");
  auto without_proof = msg.substr(0, proof_at);
  auto attrs = attributes(without_proof);
  if (!attrs || attrs->size() < 2 || (*attrs)[0].first != 'c' || (*attrs)[1].first != 'r')
    return fail("Invalid SCRAM client final message: expected c=...,r=...");
  auto binding = base64_decode((*attrs)[0].second);
  if (!binding || std::string_view(reinterpret_cast<const char*>(binding->data()), binding->size()) != gs2_header_)
    return fail("Invalid SCRAM client final message: channel binding does not match");
  // Kafka accepts a nonce that ends with the server's (ScramSaslServer: endsWith): librdkafka
  // up to at least 2.0.2 sends its client nonce once more in front of the combined one.
  if (!(*attrs)[1].second.ends_with(nonce_))
    return fail("Invalid SCRAM client final message: nonce mismatch");
  auto proof = base64_decode(msg.substr(proof_at + 3));
  if (!proof || proof->size() != credential_.stored_key.size())
    return fail("Invalid SCRAM client final message: bad proof");
  const std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  auto client_signature = hmac(mechanism_, credential_.stored_key, text_bytes(auth_message));
  bytes client_key(proof->size());
  for (size_t i = 0; i < client_key.size(); ++i) client_key[i] = (*proof)[i] ^ client_signature[i];
  if (!equal_constant_time(hash(mechanism_, client_key), credential_.stored_key))
    return fail(std::string(invalid_credentials));
  auto server_signature = hmac(mechanism_, credential_.server_key, text_bytes(auth_message));
  state_ = state::done;
  return {.message = "v=" + base64_encode(server_signature), .done = true};
}

}  // namespace lkstream::security
