#include "lkstream/security/sasl_exchange.hpp"

namespace lkstream::security {

bool is_known_sasl_mechanism(std::string_view name) noexcept {
  return name == sasl_plain || scram_mechanism_from_name(name) != scram_mechanism::unknown;
}

sasl_exchange::sasl_exchange(std::string mechanism, const credential_store& store)
    : mechanism_(std::move(mechanism)), store_(store) {
  auto m = scram_mechanism_from_name(mechanism_);
  if (m != scram_mechanism::unknown)
    scram_.emplace(m, [this, m](const std::string& user) { return store_.find(user, m); });
}

sasl_exchange::step_result sasl_exchange::step(bytes_view token) {
  if (finished_) return {.failed = true, .error = "Authentication failed: SASL exchange already finished"};
  if (!scram_) {
    finished_ = true;
    return plain(token);
  }
  auto r = scram_->step(token);
  step_result out{.failed = r.failed, .error = std::move(r.error), .done = r.done};
  auto msg = as_bytes(r.message);
  out.response.assign(msg.begin(), msg.end());
  if (r.failed || r.done) finished_ = true;
  if (r.done) user_ = scram_->user();
  return out;
}

sasl_exchange::step_result sasl_exchange::plain(bytes_view token) {
  std::string_view msg(reinterpret_cast<const char*>(token.data()), token.size());
  auto nul1 = msg.find('\0');
  auto nul2 = nul1 == std::string_view::npos ? nul1 : msg.find('\0', nul1 + 1);
  if (nul2 == std::string_view::npos || msg.find('\0', nul2 + 1) != std::string_view::npos)
    return {.failed = true, .error = "Invalid SASL/PLAIN response: expected 3 tokens"};
  auto authzid = msg.substr(0, nul1);
  auto user = std::string(msg.substr(nul1 + 1, nul2 - nul1 - 1));
  auto password = msg.substr(nul2 + 1);
  if (user.empty())
    return {.failed = true, .error = "Authentication failed: username not specified"};
  if (password.empty())
    return {.failed = true, .error = "Authentication failed: password not specified"};
  if (!authzid.empty() && authzid != user)
    return {.failed = true,
            .error = "Authentication failed: Client requested an authorization id that is "
                     "different from username"};
  for (auto m : {scram_mechanism::sha_512, scram_mechanism::sha_256}) {
    auto c = store_.find(user, m);
    if (!c) continue;
    if (!scram_password_matches(*c, password)) break;
    user_ = std::move(user);
    return {.done = true};
  }
  return {.failed = true, .error = "Authentication failed: Invalid username or password"};
}

}  // namespace lkstream::security
