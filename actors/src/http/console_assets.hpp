#pragma once
// The web console's static files, built into the binary from actors/src/http/console/ by
// cmake/embed_assets.cmake (no CDN, nothing read from disk at run time).

#include <string_view>

namespace lkstream::http {

struct console_asset {
  std::string_view path;          // "/console/app.js"; "/" for index.html
  std::string_view content_type;
  std::string_view body;
};

/// The asset served at `path`, or nullptr.
const console_asset* find_console_asset(std::string_view path);

}  // namespace lkstream::http
