#include "net/handlers/user_scram_credentials.hpp"

#include <map>

namespace lkstream::net {
namespace {

using security::scram_mechanism;

struct api_error {
  kafka::error_code code = kafka::error_code::none;
  std::optional<std::string> message;
};

// ScramControlManager.validateScramUsernameAndMechanism
api_error validate_name_and_mechanism(const std::string& name, int8_t mechanism) {
  if (name.empty()) return {kafka::error_code::unacceptable_credential, "Username must not be empty"};
  if (security::scram_mechanism_from_type(mechanism) == scram_mechanism::unknown)
    return {kafka::error_code::unsupported_sasl_mechanism, "Unknown SCRAM mechanism"};
  return {};
}

}  // namespace

void handle_describe_user_scram_credentials(const request_context& ctx,
                                            kafka::describe_user_scram_credentials_request rq,
                                            reply_slot reply) {
  const auto& store = ctx.core.credentials;
  kafka::describe_user_scram_credentials_response resp;
  resp.error_message = "";  // Kafka's answer carries "" (the generated default), not null
  // user -> named twice; null or empty = every user (ScramImage.describe).
  std::map<std::string, bool> users;
  if (!rq.users || rq.users->empty()) {
    for (auto& u : store.users()) users[u] = false;
  } else {
    for (auto& u : *rq.users) {
      auto [it, fresh] = users.try_emplace(u, false);
      if (!fresh) it->second = true;
    }
  }
  for (const auto& [user, duplicate] : users) {
    kafka::describe_user_scram_credentials_result r;
    r.user = user;
    if (duplicate) {
      r.error = kafka::error_code::duplicate_resource;
      r.error_message =
          "Cannot describe SCRAM credentials for the same user twice in a single request: " + user;
    } else if (auto creds = store.of_user(user); creds.empty()) {
      r.error = kafka::error_code::resource_not_found;
      r.error_message = "Attempt to describe a user credential that does not exist: " + user;
    } else {
      r.error_message = "";  // as Kafka: "" for a user found
      for (const auto& c : creds)
        r.credential_infos.push_back({static_cast<int8_t>(c.mechanism), c.iterations});
    }
    resp.results.push_back(std::move(r));
  }
  reply.send(std::move(resp));
}

void handle_alter_user_scram_credentials(const request_context& ctx,
                                         kafka::alter_user_scram_credentials_request rq,
                                         reply_slot reply) {
  auto& store = ctx.core.credentials;
  // The same checks, in the same order, as ScramControlManager.alterCredentials.
  std::map<std::string, const kafka::scram_credential_deletion*> deletions;
  std::map<std::string, const kafka::scram_credential_upsertion*> upsertions;
  std::map<std::string, api_error> errors;
  const api_error duplicate{kafka::error_code::duplicate_resource,
                            "A user credential cannot be altered twice in the same request"};
  for (const auto& d : rq.deletions) {
    if (errors.contains(d.name)) continue;
    if (deletions.erase(d.name)) {
      errors[d.name] = duplicate;
      continue;
    }
    auto e = validate_name_and_mechanism(d.name, d.mechanism);
    if (e.code == kafka::error_code::none &&
        !store.find(d.name, security::scram_mechanism_from_type(d.mechanism)))
      e = {kafka::error_code::resource_not_found,
           "Attempt to delete a user credential that does not exist"};
    if (e.code != kafka::error_code::none) errors[d.name] = e;
    else deletions[d.name] = &d;
  }
  for (const auto& u : rq.upsertions) {
    if (errors.contains(u.name)) continue;
    if (deletions.erase(u.name) || upsertions.erase(u.name)) {
      errors[u.name] = duplicate;
      continue;
    }
    auto e = validate_name_and_mechanism(u.name, u.mechanism);
    if (e.code == kafka::error_code::none && u.iterations < security::scram_min_iterations)
      e = {kafka::error_code::unacceptable_credential, "Too few iterations"};
    else if (e.code == kafka::error_code::none && u.iterations > security::scram_max_iterations)
      e = {kafka::error_code::unacceptable_credential, "Too many iterations"};
    if (e.code != kafka::error_code::none) errors[u.name] = e;
    else upsertions[u.name] = &u;
  }
  kafka::alter_user_scram_credentials_response resp;
  if (!deletions.empty() || !upsertions.empty()) {
    auto before = store;
    for (const auto& [name, d] : deletions)
      store.erase(name, security::scram_mechanism_from_type(d->mechanism));
    for (const auto& [name, u] : upsertions)
      store.upsert(name, security::credential_from_salted_password(
                             security::scram_mechanism_from_type(u->mechanism), u->salt,
                             u->salted_password, u->iterations));
    if (auto saved = store.save(); !saved) {
      store = std::move(before);
      ctx.core.log("AlterUserScramCredentials: cannot save the credentials: " +
                   saved.err().to_string());
      for (const auto& [name, d] : deletions)
        errors[name] = {kafka::error_code::unknown_server_error, saved.err().message};
      for (const auto& [name, u] : upsertions)
        errors[name] = {kafka::error_code::unknown_server_error, saved.err().message};
      deletions.clear();
      upsertions.clear();
    }
  }
  for (const auto& [name, d] : deletions) resp.results.push_back({name, kafka::error_code::none, {}});
  for (const auto& [name, u] : upsertions) resp.results.push_back({name, kafka::error_code::none, {}});
  for (const auto& [name, e] : errors) resp.results.push_back({name, e.code, e.message});
  reply.send(std::move(resp));
}

}  // namespace lkstream::net
