#include "lkstream/kafka/supported_apis.hpp"

#include <cassert>

namespace lkstream::kafka {

const api_support* find_api(int16_t key) noexcept {
  for (const auto& row : supported_apis)
    if (to_wire(row.key) == key) return &row;
  return nullptr;
}

const api_support& api_info(api_key key) noexcept {
  const api_support* row = find_api(to_wire(key));
  assert(row != nullptr);
  return *row;
}

int16_t request_header_version(api_key key, int16_t version) noexcept {
  return api_info(key).flexible(version) ? 2 : 1;
}

int16_t response_header_version(api_key key, int16_t version) noexcept {
  if (key == api_key::api_versions) return 0;
  return api_info(key).flexible(version) ? 1 : 0;
}

}  // namespace lkstream::kafka
