// `lkstream user create|delete|list`: the SCRAM credentials of a data directory
// (DATA_DIR/scram-credentials, lkstream/security/credential_store.hpp), for SASL listeners.
//
// Offline: the command takes the data directory's lock, so it refuses to run while `lkstream
// serve` has it open (a running server is managed over the Kafka protocol instead: any Kafka
// admin client's AlterUserScramCredentials / DescribeUserScramCredentials, e.g. Kafka's
// kafka-configs.sh --alter --add-config 'SCRAM-SHA-512=[password=...]' --entity-type users).
// The password is read from the first line of standard input, never from the command line
// (where `ps` would show it).
#include "user_command.hpp"

#include <iostream>
#include <string>

#include "lkstream/security/credential_store.hpp"
#include "lkstream/storage/file_system.hpp"

namespace lkstream::app {
namespace {

using security::scram_mechanism;

struct opened_store {
  std::shared_ptr<storage::file_system> fs;
  std::unique_ptr<storage::file_lock> lock;
  security::credential_store store;
};

result<opened_store> open_store(const parsed_args& args) {
  auto dir = args.get("data-dir");
  if (!dir || dir->empty())
    return error{errc::invalid_argument, "--data-dir DIR is required (the server's data_dir)"};
  opened_store o;
  o.fs = storage::make_posix_file_system();
  if (!o.fs->is_directory(*dir))
    return error{errc::not_found, "data directory " + *dir + " does not exist"};
  auto lock = o.fs->lock(storage::join_path(*dir, ".lock"));
  if (!lock)
    return error{lock.code(), lock.err().message +
                                  " (is `lkstream serve` running on it? stop it first, or change "
                                  "users through a Kafka admin client's "
                                  "AlterUserScramCredentials)"};
  o.lock = std::move(*lock);
  LK_ASSIGN_OR_RETURN(o.store, security::credential_store::load(*o.fs, *dir));
  return o;
}

// --mechanism: one SCRAM mechanism, or both (the default).
result<std::vector<scram_mechanism>> mechanisms_of(const parsed_args& args) {
  auto m = args.get("mechanism").value_or("both");
  if (m == "both") return std::vector{scram_mechanism::sha_256, scram_mechanism::sha_512};
  auto one = security::scram_mechanism_from_name(m);
  if (one == scram_mechanism::unknown)
    return error{errc::invalid_argument,
                 "invalid --mechanism '" + m + "': expected SCRAM-SHA-256, SCRAM-SHA-512 or both"};
  return std::vector{one};
}

int run_create(const parsed_args& args) {
  auto mechs = mechanisms_of(args);
  if (!mechs) return args.usage_error(mechs.err().message);
  auto iterations = args.get_int("iterations", security::scram_min_iterations,
                                 security::scram_max_iterations);
  if (!iterations) return args.usage_error(iterations.err().message);
  auto store = open_store(args);
  if (!store) return args.failure(store.err().message);
  std::string password;
  if (!std::getline(std::cin, password) || password.empty())
    return args.failure("no password: give it as the first line of standard input");
  if (!password.empty() && password.back() == '\r') password.pop_back();
  const std::string& user = args.positional[0];
  for (auto m : *mechs) {
    auto c = security::make_scram_credential(
        m, password, static_cast<int32_t>(iterations->value_or(security::scram_default_iterations)));
    if (!c) return args.failure(c.err().message);
    store->store.upsert(user, std::move(*c));
  }
  if (auto st = store->store.save(); !st) return args.failure(st.err().message);
  std::string names;
  for (auto m : *mechs) names += (names.empty() ? "" : ", ") + std::string(to_string(m));
  std::cout << "user " << user << ": " << names << " credentials stored\n";
  return exit_ok;
}

int run_delete(const parsed_args& args) {
  auto mechs = mechanisms_of(args);
  if (!mechs) return args.usage_error(mechs.err().message);
  auto store = open_store(args);
  if (!store) return args.failure(store.err().message);
  const std::string& user = args.positional[0];
  bool any = false;
  for (auto m : *mechs) any = store->store.erase(user, m) || any;
  if (!any) return args.failure("user '" + user + "' has no such credential");
  if (auto st = store->store.save(); !st) return args.failure(st.err().message);
  std::cout << "user " << user << ": credentials deleted\n";
  return exit_ok;
}

int run_list(const parsed_args& args) {
  auto store = open_store(args);
  if (!store) return args.failure(store.err().message);
  std::cout << "USER\tMECHANISM\tITERATIONS\n";
  for (const auto& user : store->store.users())
    for (const auto& c : store->store.of_user(user))
      std::cout << user << '\t' << to_string(c.mechanism) << '\t' << c.iterations << '\n';
  return exit_ok;
}

}  // namespace

command_spec user_command() {
  const flag_spec data_dir{"data-dir", "DIR", "the server's data directory (server stopped)"};
  const flag_spec mechanism{"mechanism", "NAME",
                            "SCRAM-SHA-256, SCRAM-SHA-512 or both (default)"};
  command_spec create{
      .name = "create",
      .summary = "store a user's SCRAM credentials (password from stdin)",
      .synopsis = "user create NAME --data-dir DIR [--mechanism NAME] [--iterations N]",
      .description =
          "Reads the password from the first line of standard input and stores salted, "
          "iterated SCRAM credentials (never the password) in DIR/scram-credentials; an "
          "existing user's credentials are replaced. SASL/PLAIN checks passwords against "
          "the same credentials.",
      .flags = {data_dir, mechanism,
                {"iterations", "N", "PBKDF2 rounds, 4096..16384 (default 8192)"}},
      .max_positional = 1,
      .run = run_create,
      .subcommands = {},
      .min_positional = 1,
  };
  command_spec remove{
      .name = "delete",
      .summary = "delete a user's SCRAM credentials",
      .synopsis = "user delete NAME --data-dir DIR [--mechanism NAME]",
      .description = {},
      .flags = {data_dir, mechanism},
      .max_positional = 1,
      .run = run_delete,
      .subcommands = {},
      .min_positional = 1,
  };
  command_spec list{
      .name = "list",
      .summary = "list users and their SCRAM mechanisms",
      .synopsis = "user list --data-dir DIR",
      .description = {},
      .flags = {data_dir},
      .max_positional = 0,
      .run = run_list,
  };
  return {
      .name = "user",
      .summary = "SCRAM users of a data directory (for SASL listeners)",
      .synopsis = "user create|delete|list",
      .description = {},
      .flags = {},
      .max_positional = 0,
      .run = {},
      .subcommands = {create, remove, list},
  };
}

}  // namespace lkstream::app
