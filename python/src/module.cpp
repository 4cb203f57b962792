// The extension module lkstream._lkstream: the native classes that lkstream/__init__.py
// builds the public API from, and the in-process CLI behind the `lkstream` console script.

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include <pthread.h>

#include "errors.hpp"
#include "py_consumer.hpp"
#include "py_engine.hpp"
#include "py_listener.hpp"
#include "py_producer.hpp"
#include "py_record.hpp"
#include "py_table.hpp"

// app/main.cpp, compiled into this module with `main` renamed (python/CMakeLists.txt): the
// console script runs exactly the command table of the `lkstream` executable.
int lkstream_cli_main(int argc, char** argv);

namespace nb = nanobind;

namespace {

/// Runs the CLI with the GIL released. `serve` blocks SIGINT/SIGTERM in this thread and waits
/// for them with sigwait(); the signal mask is restored afterwards.
int run_cli(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  sigset_t saved;
  pthread_sigmask(SIG_SETMASK, nullptr, &saved);
  int rc;
  {
    nb::gil_scoped_release release;
    rc = lkstream_cli_main(static_cast<int>(args.size()), argv.data());
    std::cout.flush();
    std::cerr.flush();
  }
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  return rc;
}

}  // namespace

NB_MODULE(_lkstream, m) {
  m.doc() = "Native part of lkstream (see the lkstream package for the API).";
  // Objects a script leaves in module globals are still alive when the interpreter finalises
  // (the engine was closed by lkstream's atexit hook); that is not a reference leak.
  nb::set_leak_warnings(false);
  lkstream::python::init_errors();
  lkstream::python::bind_engine(m);
  lkstream::python::bind_producer(m);
  lkstream::python::bind_record(m);
  lkstream::python::bind_consumer(m);
  lkstream::python::bind_listener(m);
  lkstream::python::bind_table(m);
  m.attr("__version__") = LKSTREAM_VERSION;
  m.def("_run_cli", &run_cli, nb::arg("argv"));
}
