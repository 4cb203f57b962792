// SCRAM-SHA-256/512 (RFC 5802/7677), SASL/PLAIN and the credential store, through the public
// headers of framework/security. The client side is written here from the RFC with OpenSSL,
// independently of the server code.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>
#include <string>

#include "lkstream/security/credential_store.hpp"
#include "lkstream/security/sasl_exchange.hpp"
#include "lkstream/security/scram.hpp"
#include "lkstream/storage/memory_file_system.hpp"

using namespace lkstream;
using namespace lkstream::security;

namespace {

bytes to_bytes(std::string_view s) {
  auto v = as_bytes(s);
  return {v.begin(), v.end()};
}
std::string to_text(const bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

const EVP_MD* md(scram_mechanism m) { return m == scram_mechanism::sha_512 ? EVP_sha512() : EVP_sha256(); }

bytes client_hmac(scram_mechanism m, const bytes& key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(md(m), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return bytes(reinterpret_cast<std::byte*>(out), reinterpret_cast<std::byte*>(out) + len);
}

bytes client_hash(scram_mechanism m, const bytes& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md(m), nullptr);
  return bytes(reinterpret_cast<std::byte*>(out), reinterpret_cast<std::byte*>(out) + len);
}

// A SCRAM client (RFC 5802 §3): the client-final message for a server-first message.
// `nonce_prefix` goes in front of the nonce, as librdkafka 2.0.2 writes it.
std::string client_final(scram_mechanism m, std::string_view password,
                         const std::string& client_first_bare, const std::string& server_first,
                         const std::string& nonce_prefix = "") {
  auto attr = [&](char k) {
    auto at = server_first.find(std::string(1, k) + "=");
    auto end = server_first.find(',', at);
    return server_first.substr(at + 2, end == std::string::npos ? end : end - at - 2);
  };
  auto salt = *base64_decode(attr('s'));
  int iterations = std::stoi(attr('i'));
  auto salted = scram_salted_password(m, password, salt, iterations);
  auto client_key = client_hmac(m, salted, "Client Key");
  auto stored_key = client_hash(m, client_key);
  std::string without_proof = "c=biws,r=" + nonce_prefix + attr('r');
  auto signature = client_hmac(m, stored_key, client_first_bare + "," + server_first + "," + without_proof);
  bytes proof(client_key.size());
  for (size_t i = 0; i < proof.size(); ++i) proof[i] = client_key[i] ^ signature[i];
  return without_proof + ",p=" + base64_encode(proof);
}

credential_store store_with(const std::string& user, std::string_view password) {
  credential_store store;
  for (auto m : {scram_mechanism::sha_256, scram_mechanism::sha_512})
    store.upsert(user, *make_scram_credential(m, password, scram_min_iterations));
  return store;
}

}  // namespace

TEST_CASE("scram: RFC 7677's SCRAM-SHA-256 example exchange, byte for byte") {
  // RFC 7677 §3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 rounds.
  auto salt = *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  auto cred = credential_from_salted_password(
      scram_mechanism::sha_256, salt,
      scram_salted_password(scram_mechanism::sha_256, "pencil", salt, 4096), 4096);
  scram_server server(
      scram_mechanism::sha_256,
      [&](const std::string& u) -> std::optional<scram_credential> {
        if (u == "user") return cred;
        return std::nullopt;
      },
      "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
  auto first = server.step(as_bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
  REQUIRE_FALSE(first.failed);
  CHECK(first.message ==
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  auto final = server.step(as_bytes(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
  REQUIRE_MESSAGE(!final.failed, final.error);
  CHECK(final.done);
  CHECK(final.message == "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  CHECK(server.user() == "user");
}

TEST_CASE("scram: SHA-256 and SHA-512 authenticate the right password and refuse a wrong one") {
  auto store = store_with("alice", "s3cret");
  for (auto mech : {"SCRAM-SHA-256", "SCRAM-SHA-512"}) {
    CAPTURE(mech);
    for (auto [password, accepted] : {std::pair{"s3cret", true}, std::pair{"guess", false}}) {
      sasl_exchange ex(mech, store);
      const std::string bare = "n=alice,r=clientnonce123";
      auto first = ex.step(as_bytes("n,," + bare));
      REQUIRE_FALSE(first.failed);
      auto final = ex.step(as_bytes(client_final(scram_mechanism_from_name(mech), password, bare,
                                                 to_text(first.response))));
      CHECK(final.failed == !accepted);
      CHECK(final.done == accepted);
      if (accepted) {
        CHECK(ex.user() == "alice");
        CHECK(to_text(final.response).starts_with("v="));
      } else {
        CHECK(final.error == "Authentication failed: Invalid user credentials");
      }
    }
  }
}

TEST_CASE("scram: a final nonce with the client nonce repeated in front passes, as with Kafka") {
  // librdkafka (2.0.2, Debian's) writes r=<client nonce><combined nonce>; Kafka's
  // ScramSaslServer only checks that the nonce ends with the combined one.
  auto store = store_with("alice", "pw");
  sasl_exchange ex("SCRAM-SHA-256", store);
  const std::string bare = "n=alice,r=cn";
  auto first = to_text(ex.step(as_bytes("n,," + bare)).response);
  auto r = ex.step(as_bytes(client_final(scram_mechanism::sha_256, "pw", bare, first, "cn")));
  CHECK_MESSAGE(!r.failed, r.error);
  CHECK(r.done);
}

TEST_CASE("scram: unknown user, channel binding, tokenauth and a wrong nonce fail cleanly") {
  auto store = store_with("alice", "pw");
  auto first_error = [&](std::string msg) {
    sasl_exchange ex("SCRAM-SHA-256", store);
    auto r = ex.step(as_bytes(msg));
    CHECK(r.failed);
    return r.error;
  };
  CHECK(first_error("n,,n=bob,r=abc") == "Authentication failed: Invalid user credentials");
  CHECK(first_error("p=tls-unique,,n=alice,r=abc").find("channel binding") != std::string::npos);
  CHECK(first_error("n,,n=alice,r=abc,tokenauth=true").find("delegation") != std::string::npos);
  CHECK(first_error("n,a=bob,n=alice,r=abc").find("authorization id") != std::string::npos);

  sasl_exchange ex("SCRAM-SHA-256", store);
  REQUIRE_FALSE(ex.step(as_bytes("n,,n=alice,r=abc")).failed);
  auto r = ex.step(as_bytes("c=biws,r=abcWRONG,p=AAAA"));
  CHECK(r.failed);
  CHECK(ex.step(as_bytes("anything")).failed);  // no step after a failure
}

TEST_CASE("scram: truncated and random client messages never crash and always fail") {
  auto store = store_with("alice", "pw");
  const std::string good_first = "n,,n=alice,r=abcdef";
  // Every prefix of a valid first message up to an empty nonce (longer ones are valid).
  for (size_t n = 0; n <= good_first.find("r=") + 2; ++n) {
    sasl_exchange ex("SCRAM-SHA-512", store);
    CHECK(ex.step(as_bytes(good_first.substr(0, n))).failed);
  }
  // Every prefix of a valid final message.
  sasl_exchange probe("SCRAM-SHA-512", store);
  auto first = probe.step(as_bytes(good_first));
  auto final = client_final(scram_mechanism::sha_512, "pw", "n=alice,r=abcdef", to_text(first.response));
  for (size_t n = 0; n < final.size(); ++n) {
    sasl_exchange ex("SCRAM-SHA-512", store);
    REQUIRE_FALSE(ex.step(as_bytes(good_first)).failed);
    CHECK(ex.step(as_bytes(final.substr(0, n))).failed);
  }
  // Random bytes, and random mutations of valid messages.
  std::mt19937 rng(17);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (auto& c : junk) c = static_cast<char>(rng() % 4 == 0 ? "=,nrcp"[rng() % 6] : rng() % 256);
    sasl_exchange ex(i % 2 ? "SCRAM-SHA-256" : "PLAIN", store);
    CHECK(ex.step(as_bytes(junk)).failed);
    sasl_exchange ex2("SCRAM-SHA-256", store);
    if (!ex2.step(as_bytes(good_first)).failed) {
      std::string mutated = final;
      mutated[rng() % mutated.size()] = static_cast<char>(rng() % 256);
      auto r = ex2.step(as_bytes(mutated));
      CHECK((r.failed || r.done));
    }
  }
}

TEST_CASE("sasl: PLAIN checks the password against the SCRAM credentials") {
  auto store = store_with("alice", "s3cret");
  auto plain = [&](std::string msg) {
    sasl_exchange ex("PLAIN", store);
    return ex.step(as_bytes(msg));
  };
  using namespace std::string_literals;
  CHECK(plain("\0alice\0s3cret"s).done);
  CHECK(plain("alice\0alice\0s3cret"s).done);
  CHECK(plain("\0alice\0wrong"s).error == "Authentication failed: Invalid username or password");
  CHECK(plain("\0nobody\0s3cret"s).error == "Authentication failed: Invalid username or password");
  CHECK(plain("bob\0alice\0s3cret"s).failed);
  CHECK(plain("alice-s3cret").failed);
  CHECK(plain("\0alice\0s3cret\0extra"s).failed);
  CHECK(plain(""s).failed);
}

TEST_CASE("credential store: survives a reload, never holds the password, rejects a bad file") {
  storage::memory_file_system fs;
  auto store = *credential_store::load(fs, "/data");
  CHECK(store.empty());
  store.upsert("alice smith", *make_scram_credential(scram_mechanism::sha_512, "hunter2"));
  store.upsert("bob", *make_scram_credential(scram_mechanism::sha_256, "pw", 4096));
  REQUIRE(store.save());
  auto again = *credential_store::load(fs, "/data");
  CHECK(again.users() == std::vector<std::string>{"alice smith", "bob"});
  CHECK(again.find("alice smith", scram_mechanism::sha_512) == store.find("alice smith", scram_mechanism::sha_512));
  CHECK(scram_password_matches(*again.find("alice smith", scram_mechanism::sha_512), "hunter2"));
  CHECK_FALSE(scram_password_matches(*again.find("bob", scram_mechanism::sha_256), "hunter2"));
  CHECK(again.erase("bob", scram_mechanism::sha_256));
  CHECK_FALSE(again.erase("bob", scram_mechanism::sha_256));

  auto f = *fs.open("/data/scram-credentials", storage::open_mode::read_only);
  std::string text(f->size(), '\0');
  (void)f->read_at(0, {reinterpret_cast<std::byte*>(text.data()), text.size()});
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find(base64_encode(as_bytes("hunter2"))) == std::string::npos);

  auto bad = *fs.open("/data/scram-credentials", storage::open_mode::create_truncate);
  REQUIRE(bad->append(as_bytes("lkstream-scram-credentials 1\nYm9i SCRAM-SHA-1 4096 AA== AA== AA==\n")));
  auto refused = credential_store::load(fs, "/data");
  REQUIRE_FALSE(refused);
  CHECK(refused.err().message.find("scram-credentials:2") != std::string::npos);
}

TEST_CASE("scram: credentials outside Kafka's iteration bounds are refused") {
  CHECK_FALSE(make_scram_credential(scram_mechanism::sha_256, "pw", 4095));
  CHECK_FALSE(make_scram_credential(scram_mechanism::sha_256, "pw", 16385));
  CHECK_FALSE(make_scram_credential(scram_mechanism::unknown, "pw"));
  CHECK(base64_decode("abc") == std::nullopt);
  CHECK(base64_decode("ab=c") == std::nullopt);
  CHECK(to_text(*base64_decode("cGVuY2ls")) == "pencil");
  CHECK(to_text(*base64_decode("cGVuY2lsMQ==")) == "pencil1");
  CHECK(base64_encode(to_bytes("pencil1")) == "cGVuY2lsMQ==");
}
