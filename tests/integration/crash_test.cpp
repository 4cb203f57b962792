// Crash safety of fsync = "always": a real child process (crash_child) produces and commits
// until it is killed with SIGKILL at a random point; the directory is then reopened here through
// the embedded API and checked. Several rounds on the same directory, so later recoveries must
// also keep what earlier rounds acknowledged.
//
// The random kill points come from a seed printed with the result; rerun a failure with
// LKSTREAM_CRASH_SEED=<seed>.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "child_process.hpp"
#include "crash_protocol.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"

namespace crash = lkstream::testing::crash;
using lkstream::testing::after;
using lkstream::testing::child_process;
using namespace std::chrono_literals;

namespace {

struct acked_record {
  int32_t partition;
  int64_t offset;
  friend auto operator<=>(const acked_record&, const acked_record&) = default;
};

/// What the children reported, accumulated over all rounds.
struct reports {
  std::map<acked_record, crash::record_id> acked;
  std::map<int32_t, int64_t> committed_floor;  // highest offset a commit_sync returned ok for
  size_t commit_lines = 0;

  void take(const std::string& line) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "ack") {
      acked_record at{};
      crash::record_id id;
      in >> at.partition >> at.offset >> id.round >> id.seq;
      REQUIRE_MESSAGE(in, "malformed line from crash_child: " << line);
      auto [it, fresh] = acked.emplace(at, id);
      CHECK_MESSAGE((fresh || it->second == id), "offset " << at.offset << " of partition "
                                                           << at.partition
                                                           << " acknowledged twice");
    } else if (kind == "commit") {
      int32_t p = 0;
      int64_t off = 0;
      in >> p >> off;
      REQUIRE_MESSAGE(in, "malformed line from crash_child: " << line);
      auto& floor = committed_floor[p];
      floor = std::max(floor, off);
      ++commit_lines;
    }
  }
};

/// Reads every record of the topic (no group) and checks the acknowledged ones, contiguity and
/// that no record was appended twice; then checks the group's committed offsets.
void verify_directory(const std::string& data_dir, const reports& rep, int round) {
  INFO("verifying after round " << round);
  std::vector<std::string> engine_log;
  lkstream::engine_options opts;
  opts.data_dir = data_dir;
  opts.log = [&](std::string_view line) { engine_log.emplace_back(line); };
  auto eng = lkstream::engine::open(std::move(opts));
  REQUIRE_MESSAGE(eng, (eng ? "" : eng.err().to_string()));
  auto info = (*eng)->describe_topic(crash::topic);
  REQUIRE_MESSAGE(info, (info ? "" : info.err().to_string()));
  REQUIRE(info->partitions.size() == crash::partitions);
  for (auto& p : info->partitions)
    if (p.truncated_bytes_at_open > 0)
      MESSAGE("round " << round << ": recovery cut " << p.truncated_bytes_at_open
                       << " bytes of partition " << p.partition);

  std::map<acked_record, crash::record_id> in_log;
  {
    lkstream::consumer_options copts;  // no group: assign() and read everything
    copts.enable_auto_commit = false;
    auto cons = (*eng)->make_consumer(copts);
    REQUIRE(cons);
    std::vector<lkstream::topic_partition> tps;
    for (int32_t p = 0; p < crash::partitions; ++p)
      tps.push_back({std::string(crash::topic), lkstream::partition_id{p}});
    REQUIRE((*cons)->assign(tps));
    REQUIRE((*cons)->seek_to_beginning());
    std::map<int32_t, int64_t> expected_next;
    for (auto& p : info->partitions) {
      CHECK(p.log_start == 0);  // retention never runs here: nothing may be missing at the start
      expected_next[p.partition] = p.log_start;
    }
    std::set<crash::record_id> seen_ids;
    auto done = [&] {
      for (auto& p : info->partitions)
        if (expected_next[p.partition] < p.end_offset) return false;
      return true;
    };
    auto until = std::chrono::steady_clock::now() + 20s;
    while (!done() && std::chrono::steady_clock::now() < until) {
      auto recs = (*cons)->poll(100ms);
      REQUIRE_MESSAGE(recs, (recs ? "" : recs.err().to_string()));
      for (auto& r : *recs) {
        REQUIRE_MESSAGE(r.offset == expected_next[r.partition],
                        "partition " << r.partition << ": offset " << r.offset << " follows "
                                     << expected_next[r.partition] - 1 << " (hole or repeat)");
        expected_next[r.partition] = r.offset + 1;
        REQUIRE(r.value);
        auto id = crash::parse_value(lkstream::as_string_view(*r.value));
        REQUIRE_MESSAGE(id, "partition " << r.partition << " offset " << r.offset
                                         << " holds a malformed value");
        CHECK_MESSAGE(seen_ids.insert(*id).second,
                      "round " << id->round << " seq " << id->seq << " appended twice");
        in_log.emplace(acked_record{r.partition, r.offset}, *id);
      }
    }
    for (auto& p : info->partitions)
      CHECK_MESSAGE(expected_next[p.partition] == p.end_offset,
                    "partition " << p.partition << ": read up to " << expected_next[p.partition]
                                 << " of end offset " << p.end_offset);
  }

  size_t missing = 0;
  for (auto& [at, id] : rep.acked) {
    auto it = in_log.find(at);
    if (it == in_log.end() || it->second != id) {
      if (++missing <= 5)
        FAIL_CHECK("acknowledged round " << id.round << " seq " << id.seq << " at partition "
                                         << at.partition << " offset " << at.offset
                                         << (it == in_log.end() ? " is missing" : " was replaced"));
    }
  }
  CHECK_MESSAGE(missing == 0,
                missing << " of " << rep.acked.size() << " acknowledged records lost");

  {
    lkstream::consumer_options copts;
    copts.group_id = std::string(crash::group);
    copts.enable_auto_commit = false;
    auto cons = (*eng)->make_consumer(copts);
    REQUIRE(cons);
    for (auto& p : info->partitions) {
      auto c = (*cons)->committed({std::string(crash::topic), lkstream::partition_id{p.partition}});
      REQUIRE_MESSAGE(c, (c ? "" : c.err().to_string()));
      auto floor = rep.committed_floor.find(p.partition);
      if (floor != rep.committed_floor.end())
        CHECK_MESSAGE(*c >= floor->second, "partition " << p.partition << ": committed offset "
                                                        << *c << " after restart, but "
                                                        << floor->second << " was committed");
      CHECK(*c <= p.end_offset);
    }
    REQUIRE((*cons)->close());
  }
  REQUIRE((*eng)->close());
}

}  // namespace

TEST_CASE("crash: acknowledged records, contiguous offsets and commits survive SIGKILL") {
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("LKSTREAM_CRASH_SEED")) seed = std::strtoull(s, nullptr, 10);
  MESSAGE("seed " << seed << " (rerun with LKSTREAM_CRASH_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> kill_delay_ms(300, 1200);

  lkstream::testing::temp_dir tmp("lkstream-crash");
  REQUIRE(!tmp.path().empty());
  const std::string data_dir = tmp / "data";
  reports rep;
  constexpr int rounds = 5;
  for (int round = 1; round <= rounds; ++round) {
    // Odd rounds produce at a moderate rate, so the consumer keeps up and commits often; even
    // rounds as fast as the disk allows, so group commit is under pressure when the kill lands.
    const int rate = round % 2 == 1 ? 20000 : 0;
    child_process child(
        {LKSTREAM_CRASH_CHILD, data_dir, std::to_string(round), std::to_string(rate)});
    REQUIRE_MESSAGE(child.started(), child.error());
    auto ready = child.wait_for_line("ready", after(20s));
    REQUIRE_MESSAGE(ready, "crash_child did not get ready: " << child.stderr_text());
    const int delay = kill_delay_ms(rng);
    const size_t acked_before = rep.acked.size();
    auto kill_at = after(std::chrono::milliseconds(delay));
    while (auto line = child.read_line(kill_at)) rep.take(*line);
    child.send_signal(SIGKILL);
    // The rest of the pipe was written before the child died: still trustworthy.
    while (auto line = child.read_line(after(10s))) rep.take(*line);
    auto status = child.wait(after(10s));
    REQUIRE(status);
    REQUIRE_MESSAGE((WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL),
                    "crash_child ended on its own: " << child.stderr_text());
    MESSAGE("round " << round << " (rate " << (rate ? std::to_string(rate) : "unlimited")
                     << "): killed after " << delay << " ms, " << rep.acked.size() - acked_before
                     << " new acks, " << rep.commit_lines << " commit reports so far");
    verify_directory(data_dir, rep, round);
  }
  // A run that acknowledged or committed nothing would prove nothing.
  CHECK(rep.acked.size() > 0);
  CHECK(rep.commit_lines > 0);
}
