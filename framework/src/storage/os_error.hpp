#pragma once
// Turns an errno value into an engine error: ENOSPC/EDQUOT -> no_space, ENOENT -> not_found,
// everything else -> io_error. The message names the operation, the path and strerror, e.g.
// "pwrite /data/t-0/00000000000000000000.log: No space left on device".

#include <cerrno>
#include <string>
#include <string_view>
#include <system_error>

#include "lkstream/base/result.hpp"

namespace lkstream::storage {

inline error os_error(int err, std::string_view operation, const std::string& path) {
  errc code = errc::io_error;
  if (err == ENOSPC || err == EDQUOT) code = errc::no_space;
  else if (err == ENOENT) code = errc::not_found;
  std::string msg(operation);
  msg += ' ';
  msg += path;
  msg += ": ";
  msg += std::generic_category().message(err);
  return {code, std::move(msg)};
}

}  // namespace lkstream::storage
