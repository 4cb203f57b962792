#pragma once
// DescribeLogDirs (35): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// The data directory as the one log dir: each partition's size (asked of its actor) and the
// file system's total and usable bytes.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_describe_log_dirs(const request_context& ctx, kafka::describe_log_dirs_request rq, reply_slot reply);

}  // namespace lkstream::net
