#include "messages.hpp"

#include <atomic>
#include <chrono>
#include <iostream>

namespace lkstream::actors {

timestamp_ms system_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {
std::atomic<uint64_t> unexpected_messages{0};
}  // namespace

caf::result<caf::message> log_unexpected_message(caf::scheduled_actor* self,
                                                  caf::message_view& x) {
  const auto n = ++unexpected_messages;
  std::cerr << "lkstream: " << self->name() << " actor: unexpected message "
            << caf::to_string(x.copy_content_to_message()) << " dropped (" << n << " so far)\n";
  return caf::sec::unexpected_message;
}

uint64_t unexpected_message_count() { return unexpected_messages.load(); }

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
