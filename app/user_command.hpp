#pragma once

#include "cli.hpp"

namespace lkstream::app {

/// `lkstream user create|delete|list`: SCRAM credentials of a stopped server's data directory.
command_spec user_command();

}  // namespace lkstream::app
