#include "lkstream/security/credential_store.hpp"

#include <charconv>
#include <set>
#include <sstream>

#include "lkstream/storage/small_file.hpp"

namespace lkstream::security {
namespace {

constexpr std::string_view file_name = "scram-credentials";
constexpr std::string_view header = "lkstream-scram-credentials 1";

std::string text_of(const bytes& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

}  // namespace

result<credential_store> credential_store::load(storage::file_system& fs, std::string data_dir) {
  credential_store store;
  store.fs_ = &fs;
  store.data_dir_ = std::move(data_dir);
  const auto path = storage::join_path(store.data_dir_, std::string(file_name));
  if (!fs.exists(path)) return store;
  LK_ASSIGN_OR_RETURN(std::string text, storage::read_small_file(fs, path));
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  auto bad = [&](const std::string& why) {
    return error{errc::config_error, path + ":" + std::to_string(line_no) + ": " + why};
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1) {
      if (line != header) return bad("not a SCRAM credential file (header \"" + line + "\")");
      continue;
    }
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string user64, mech, iter, salt64, stored64, server64, extra;
    if (!(fields >> user64 >> mech >> iter >> salt64 >> stored64 >> server64) || (fields >> extra))
      return bad("expected 6 fields");
    scram_credential c;
    c.mechanism = scram_mechanism_from_name(mech);
    auto user = base64_decode(user64);
    auto salt = base64_decode(salt64);
    auto stored = base64_decode(stored64);
    auto server = base64_decode(server64);
    auto [ptr, ec] = std::from_chars(iter.data(), iter.data() + iter.size(), c.iterations);
    if (c.mechanism == scram_mechanism::unknown || !user || user->empty() || !salt || !stored ||
        !server || ec != std::errc{} || ptr != iter.data() + iter.size() || c.iterations < 1)
      return bad("malformed credential");
    c.salt = std::move(*salt);
    c.stored_key = std::move(*stored);
    c.server_key = std::move(*server);
    store.creds_[{text_of(*user), c.mechanism}] = std::move(c);
  }
  return store;
}

std::optional<scram_credential> credential_store::find(const std::string& user,
                                                       scram_mechanism m) const {
  auto it = creds_.find({user, m});
  if (it == creds_.end()) return std::nullopt;
  return it->second;
}

std::vector<scram_credential> credential_store::of_user(const std::string& user) const {
  std::vector<scram_credential> out;
  for (auto m : {scram_mechanism::sha_256, scram_mechanism::sha_512})
    if (auto c = find(user, m)) out.push_back(std::move(*c));
  return out;
}

std::vector<std::string> credential_store::users() const {
  std::set<std::string> names;
  for (const auto& [key, c] : creds_) names.insert(key.first);
  return {names.begin(), names.end()};
}

void credential_store::upsert(const std::string& user, scram_credential c) {
  creds_[{user, c.mechanism}] = std::move(c);
}

bool credential_store::erase(const std::string& user, scram_mechanism m) {
  return creds_.erase({user, m}) > 0;
}

status credential_store::save() const {
  if (!fs_) return ok();
  std::string text(header);
  text += '\n';
  for (const auto& [key, c] : creds_) {
    text += base64_encode(as_bytes(key.first)) + ' ' + std::string(to_string(c.mechanism)) + ' ' +
            std::to_string(c.iterations) + ' ' + base64_encode(c.salt) + ' ' +
            base64_encode(c.stored_key) + ' ' + base64_encode(c.server_key) + '\n';
  }
  LK_TRY_STATUS(fs_->create_directories(data_dir_));
  const auto path = storage::join_path(data_dir_, std::string(file_name));
  return storage::write_small_file(*fs_, data_dir_, path, text);
}

}  // namespace lkstream::security
