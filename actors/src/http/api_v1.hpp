#pragma once
// The /api/v1 JSON endpoints (docs/http-api.md), registered on a cpp-httplib server.

#include <httplib.h>

#include "http/http_state.hpp"

namespace lkstream::http {

void register_api_v1(httplib::Server& server, http_state& st);

}  // namespace lkstream::http
