# Fails the configuration early, with one message naming every missing Debian package, when the
# libraries and headers the build needs are not there (issue 19: `pip install` of the sdist on a
# machine without them must say what to install, not stop at the first find_package). Each entry:
# a header (and a library) that the package provides. The find_package calls of the top-level
# CMakeLists.txt still do the real finding; this only names what is absent.
set(lkstream_prereqs
    # package               header                       library
    "libcaf-dev             caf/all.hpp                  caf_core"
    "libasio-dev            asio.hpp                     -"
    "libtomlplusplus-dev    toml++/toml.h                tomlplusplus"
    "nlohmann-json3-dev     nlohmann/json.hpp            -"
    "librdkafka-dev         librdkafka/rdkafka.h         rdkafka"
    "zlib1g-dev             zlib.h                       z"
    "libsnappy-dev          snappy.h                     snappy"
    "liblz4-dev             lz4.h                        lz4"
    "libzstd-dev            zstd.h                       zstd")
if(LKSTREAM_BUILD_TESTS)
  list(APPEND lkstream_prereqs "doctest-dev            doctest/doctest.h            -")
endif()

set(lkstream_missing)
foreach(entry ${lkstream_prereqs})
  string(REGEX REPLACE " +" ";" entry "${entry}")
  list(GET entry 0 pkg)
  list(GET entry 1 header)
  list(GET entry 2 lib)
  unset(lkstream_prereq_header)   # find_* skip a search whose variable is already set
  unset(lkstream_prereq_lib)
  find_file(lkstream_prereq_header ${header} NO_CACHE)
  set(found ${lkstream_prereq_header})
  if(found AND NOT lib STREQUAL "-")
    find_library(lkstream_prereq_lib ${lib} NO_CACHE)
    set(found ${lkstream_prereq_lib})
  endif()
  if(NOT found)
    list(APPEND lkstream_missing ${pkg})
  endif()
endforeach()
find_program(lkstream_prereq_pkgconfig pkg-config NO_CACHE)
if(NOT lkstream_prereq_pkgconfig)
  list(APPEND lkstream_missing pkg-config)
endif()
if(lkstream_missing)
  list(JOIN lkstream_missing " " missing_text)
  message(FATAL_ERROR
          "lkstream: missing build dependencies: ${missing_text}\n"
          "On Debian 12: apt-get install ${missing_text}\n"
          "(scripts/install-deps.sh installs everything the build and the tests need; a machine "
          "without a compiler can install the prebuilt wheel, tarball or .deb instead: "
          "docs/install.md)")
endif()
