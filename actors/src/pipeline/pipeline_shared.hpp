#pragma once
// What the actors of one running pipeline share: names, the sink producer, the counters and the
// status cell the runtime reads. Owned by running_pipeline; actors hold shared_ptrs, and the
// producer is flushed and destroyed by running_pipeline::stop() after every actor terminated.

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lkstream/pipeline/options.hpp"
#include "lkstream/pipeline/stage.hpp"
#include "lkstream/producer.hpp"

namespace lkstream::actors {

/// The runtime-wide signal every pipeline's state change notifies (run() and wait_for()).
struct runtime_signal {
  std::mutex m;
  std::condition_variable cv;
};

struct pipeline_shared {
  std::string name;
  std::string dead_letter_topic;
  std::string changelog_topic;
  std::vector<std::string> source_topics;
  std::unique_ptr<producer> prod;
  std::shared_ptr<pipeline_detail::pipeline_monitor> mon =
      std::make_shared<pipeline_detail::pipeline_monitor>();
  std::shared_ptr<runtime_signal> signal;

  // Guarded by signal->m.
  pipeline_state state = pipeline_state::starting;
  std::string last_error;
  std::map<topic_partition, int64_t> committed;
  uint64_t in_flight = 0;
  uint64_t max_in_flight = 0;

  void set_state(pipeline_state s, std::string error = {}) {
    {
      std::lock_guard<std::mutex> g(signal->m);
      state = s;
      if (!error.empty()) last_error = std::move(error);
    }
    signal->cv.notify_all();
  }
};

}  // namespace lkstream::actors
