#include "messages.hpp"

#include <chrono>
#include <cstring>

namespace lkstream::actors {

timestamp_ms system_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

append_batch append_batch::of(std::shared_ptr<bytes> buffer) {
  append_batch b;
  if (!buffer) return b;
  b.data = mutable_bytes_view(*buffer);
  b.pinned_bytes = buffer->capacity();
  b.owner = std::move(buffer);
  return b;
}

append_batch append_batch::copy_of(bytes_view src) {
  append_batch b;
  auto buffer = std::make_shared_for_overwrite<std::byte[]>(src.size());
  if (!src.empty()) std::memcpy(buffer.get(), src.data(), src.size());
  b.data = mutable_bytes_view(buffer.get(), src.size());
  b.pinned_bytes = src.size();
  b.owner = std::move(buffer);
  return b;
}

append_batch append_batch::slice_or_copy(std::shared_ptr<void> owner, mutable_bytes_view src,
                                         size_t buffer_bytes) {
  if (!worth_pinning(src.size(), buffer_bytes)) return copy_of(src);
  return {std::move(owner), src, buffer_bytes};
}

shared_slice append_batch::freeze() && {
  return shared_slice(std::move(owner), data, pinned_bytes);
}

caf::error to_caf_error(errc code, std::string message) {
  return caf::error(static_cast<uint8_t>(code), caf::atom("lkstream"),
                    caf::make_message(std::move(message)));
}

caf::error to_caf_error(const error& e) { return to_caf_error(e.code, e.message); }

error from_caf_error(const caf::error& e) {
  if (e.category() == caf::atom("lkstream")) {
    std::string msg;
    const auto& ctx = e.context();
    if (ctx.size() == 1 && ctx.match_element<std::string>(0)) msg = ctx.get_as<std::string>(0);
    return {static_cast<errc>(e.code()), std::move(msg)};
  }
  if (e.category() == caf::atom("system") &&
      (e.code() == static_cast<uint8_t>(caf::sec::request_receiver_down) ||
       e.code() == static_cast<uint8_t>(caf::sec::request_timeout)))
    return {errc::closed, "the engine is shutting down"};
  return {errc::io_error, "actor error: " + caf::to_string(e)};
}

}  // namespace lkstream::actors
