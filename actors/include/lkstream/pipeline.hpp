#pragma once
// Pipelines composed in code (design.md section 8, docs/pipelines.md): a typed builder over
// topics and connectors where every operator instance is an actor.
//
//   #include <lkstream/pipeline.hpp>
//   auto rt = lkstream::runtime::open({.engine = {.config_file = "lkstream.toml"}});
//   (*rt)->pipeline("upper").from("lines")
//       .map([](const std::string& s) { return to_upper(s); })
//       .to("lines.upper");
//   (*rt)->run();

#include "lkstream/pipeline/options.hpp"
#include "lkstream/pipeline/pipeline_builder.hpp"
#include "lkstream/pipeline/runtime.hpp"
#include "lkstream/pipeline/serde.hpp"
#include "lkstream/pipeline/stream.hpp"
#include "lkstream/pipeline/window.hpp"
