#pragma once
// The SCRAM credentials of a broker: DATA_DIR/scram-credentials.
//
// What is stored per (user, mechanism) is a scram_credential: salt, iteration count, StoredKey
// and ServerKey (scram.hpp), never a password. SASL/PLAIN checks passwords against these too.
//
// Text format, a header line then one credential per line, fields separated by single spaces:
//   lkstream-scram-credentials 1
//   <base64 user> <SCRAM-SHA-256|SCRAM-SHA-512> <iterations> <base64 salt>
//       <base64 stored key> <base64 server key>
// (the user name is base64 so that any name, spaces included, fits on a line). Saved
// atomically like topics.meta: written to a .tmp file, synced, renamed, directory synced.
//
// Writers: `lkstream serve` (AlterUserScramCredentials, on its io thread) and the offline
// `lkstream user` commands (the server must not run then: the data directory lock says so).
// Threading: not synchronised; one owner.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/security/scram.hpp"
#include "lkstream/storage/file_system.hpp"

namespace lkstream::security {

class credential_store {
 public:
  /// Reads DATA_DIR/scram-credentials; a missing file is an empty store. A malformed file is
  /// config_error naming the file and line.
  static result<credential_store> load(storage::file_system& fs, std::string data_dir);

  /// An empty store that saves nowhere (tests, a listener without a data directory).
  credential_store() = default;

  std::optional<scram_credential> find(const std::string& user, scram_mechanism m) const;
  /// Every credential of a user (both mechanisms), possibly none.
  std::vector<scram_credential> of_user(const std::string& user) const;
  /// Users with at least one credential, sorted.
  std::vector<std::string> users() const;
  bool empty() const noexcept { return creds_.empty(); }

  /// Adds or replaces; erase reports whether it existed. Neither saves.
  void upsert(const std::string& user, scram_credential c);
  bool erase(const std::string& user, scram_mechanism m);

  /// Writes the whole store to its file (atomically). A store made by the default constructor
  /// has no file: save() succeeds and writes nothing.
  status save() const;

 private:
  storage::file_system* fs_ = nullptr;
  std::string data_dir_;
  std::map<std::pair<std::string, scram_mechanism>, scram_credential> creds_;
};

}  // namespace lkstream::security
