# Standalone Asio (Debian libasio-dev), header-only and without Boost. Debian ships no CMake
# config for it: find asio.hpp and expose it as the INTERFACE target Asio::asio.
# The configuration macros (ASIO_STANDALONE, ASIO_NO_DEPRECATED) are set in one place, before the
# first include: actors/src/net/asio.hpp, through which every user includes Asio.
find_path(Asio_INCLUDE_DIR asio.hpp)
if(Asio_INCLUDE_DIR AND EXISTS "${Asio_INCLUDE_DIR}/asio/version.hpp")
  # ASIO_VERSION is major * 100000 + minor * 100 + patch.
  file(STRINGS "${Asio_INCLUDE_DIR}/asio/version.hpp" _v REGEX "^#define ASIO_VERSION [0-9]+")
  string(REGEX REPLACE "^#define ASIO_VERSION ([0-9]+).*" "\\1" _v "${_v}")
  math(EXPR _major "${_v} / 100000")
  math(EXPR _minor "${_v} / 100 % 1000")
  math(EXPR _patch "${_v} % 100")
  set(Asio_VERSION "${_major}.${_minor}.${_patch}")
  unset(_v)
  unset(_major)
  unset(_minor)
  unset(_patch)
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Asio REQUIRED_VARS Asio_INCLUDE_DIR VERSION_VAR Asio_VERSION)
if(Asio_FOUND AND NOT TARGET Asio::asio)
  add_library(Asio::asio INTERFACE IMPORTED)
  set_target_properties(Asio::asio PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${Asio_INCLUDE_DIR}")
  # Asio's own threads (its scheduler uses pthreads).
  find_package(Threads REQUIRED)
  set_property(TARGET Asio::asio APPEND PROPERTY INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(Asio_INCLUDE_DIR)
