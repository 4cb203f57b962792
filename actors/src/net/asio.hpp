#pragma once
// Standalone Asio (Debian libasio-dev, header-only), without Boost. Every net/ file includes
// Asio through this header so the configuration macro is set once, before the first include.

#ifndef ASIO_STANDALONE
#define ASIO_STANDALONE
#endif
#ifndef ASIO_NO_DEPRECATED
#define ASIO_NO_DEPRECATED
#endif

#include <asio.hpp>
