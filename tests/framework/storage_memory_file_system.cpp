// memory_file_system: POSIX-like behaviour, the durability model and the fault injection the
// log tests rely on.

#include <doctest/doctest.h>

#include <unistd.h>

#include "lkstream/storage/memory_file_system.hpp"

using namespace lkstream;
using namespace lkstream::storage;

namespace {

bytes b(std::string_view s) {
  auto v = as_bytes(s);
  return {v.begin(), v.end()};
}

std::string text(const std::optional<bytes>& data) {
  REQUIRE(data);
  return std::string(as_string_view(*data));
}

std::unique_ptr<file> open_file(memory_file_system& fs, const std::string& path,
                                open_mode mode = open_mode::create) {
  auto f = fs.open(path, mode);
  REQUIRE_MESSAGE(f, f.err().to_string());
  return std::move(*f);
}

}  // namespace

TEST_CASE("storage: memory files append, write at positions, read and truncate") {
  memory_file_system fs;
  REQUIRE(fs.create_directories("/d"));
  auto f = open_file(fs, "/d/a");
  REQUIRE(f->append(as_bytes("hello")));
  REQUIRE(f->append(as_bytes(" world")));
  REQUIRE(f->write_at(0, as_bytes("J")));
  CHECK(f->size() == 11);
  bytes out(20);
  auto n = f->read_at(6, out);
  REQUIRE(n);
  CHECK(*n == 5);
  CHECK(as_string_view(bytes_view(out).first(5)) == "world");
  CHECK(*f->read_at(11, out) == 0);
  REQUIRE(f->truncate(5));
  CHECK(text(fs.contents("/d/a")) == "Jello");
  CHECK(f->path() == "/d/a");
  // create_truncate empties; read_only refuses writes.
  open_file(fs, "/d/a", open_mode::create_truncate);
  CHECK(*fs.file_size("/d/a") == 0);
  auto ro = open_file(fs, "/d/a", open_mode::read_only);
  CHECK(ro->append(as_bytes("x")).code() == errc::io_error);
}

TEST_CASE("storage: memory file system paths need their parent and list sorted names") {
  memory_file_system fs;
  auto missing = fs.open("/nope/a", open_mode::create);
  REQUIRE_FALSE(missing);
  CHECK(missing.code() == errc::not_found);
  CHECK(missing.err().message.find("/nope/a") != std::string::npos);
  CHECK(fs.open("/x", open_mode::read_write).code() == errc::not_found);
  REQUIRE(fs.create_directories("/d/sub/deeper"));
  CHECK(fs.is_directory("/d/sub"));
  open_file(fs, "/d/b");
  open_file(fs, "/d/a");
  open_file(fs, "/d/sub/c");
  auto names = fs.list("/d");
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{"a", "b", "sub"});
  CHECK(fs.list("/missing").code() == errc::not_found);
  REQUIRE(fs.rename("/d/a", "/d/z"));
  CHECK_FALSE(fs.exists("/d/a"));
  CHECK(fs.exists("/d/z"));
  REQUIRE(fs.rename("/d/sub", "/d/moved"));
  CHECK(fs.exists("/d/moved/c"));
  CHECK(fs.is_directory("/d/moved/deeper"));
  REQUIRE(fs.remove_all("/d/moved"));
  CHECK_FALSE(fs.exists("/d/moved/c"));
  CHECK_FALSE(fs.exists("/d/moved"));
  CHECK(fs.exists("/d/z"));
  REQUIRE(fs.remove_all("/d/never-existed"));
  REQUIRE(fs.sync_directory("/d"));
  CHECK(fs.sync_directory("/gone").code() == errc::not_found);
}

TEST_CASE("storage: memory crash keeps what was synced, plus an optional torn prefix") {
  memory_file_system fs;
  REQUIRE(fs.create_directories("/d"));
  auto f = open_file(fs, "/d/a");
  REQUIRE(f->append(as_bytes("durable")));
  REQUIRE(f->sync());
  CHECK(fs.sync_count() == 1);
  REQUIRE(f->append(as_bytes("-lost")));
  SUBCASE("nothing of the unsynced tail") {
    fs.crash();
    CHECK(text(fs.contents("/d/a")) == "durable");
  }
  SUBCASE("a torn prefix of it") {
    fs.crash(3);
    CHECK(text(fs.contents("/d/a")) == "durable-lo");
  }
  SUBCASE("an overwrite inside the synced part is not durable") {
    REQUIRE(f->write_at(2, as_bytes("X")));
    fs.crash();
    CHECK(text(fs.contents("/d/a")) == "du");
  }
}

TEST_CASE("storage: memory write faults fire once, optionally only for matching paths") {
  memory_file_system fs;
  REQUIRE(fs.create_directories("/d"));
  auto log = open_file(fs, "/d/0.log");
  auto index = open_file(fs, "/d/0.index");
  fs.fail_next_append(errc::no_space, ".index");
  REQUIRE(log->append(as_bytes("log")));  // not matching
  auto st = index->append(as_bytes("idx"));
  REQUIRE_FALSE(st);
  CHECK(st.code() == errc::no_space);
  CHECK(st.err().message.find("/d/0.index") != std::string::npos);
  CHECK(index->size() == 0);
  REQUIRE(index->append(as_bytes("idx")));  // fired once

  fs.short_write_next(2);
  st = log->append(as_bytes("12345"));
  CHECK(st.code() == errc::io_error);
  CHECK(text(fs.contents("/d/0.log")) == "log12");  // the prefix reached the file

  fs.fail_next_sync(errc::io_error);
  CHECK(log->sync().code() == errc::io_error);
  REQUIRE(log->sync());
}

TEST_CASE("storage: memory damage helpers change the stored bytes") {
  memory_file_system fs;
  REQUIRE(fs.create_directories("/d"));
  auto f = open_file(fs, "/d/a");
  REQUIRE(f->append(as_bytes("abc")));
  REQUIRE(fs.flip_bit("/d/a", 1, 0));  // 'b' (0x62) -> 'c' (0x63)
  CHECK(text(fs.contents("/d/a")) == "acc");
  REQUIRE(fs.append_raw("/d/a", b("zz")));
  fs.crash();  // damage is "on disk": it survives
  CHECK(text(fs.contents("/d/a")) == "acczz");
  REQUIRE(fs.truncate_file("/d/a", 2));
  CHECK(text(fs.contents("/d/a")) == "ac");
  CHECK(fs.flip_bit("/d/a", 2, 0).code() == errc::invalid_argument);
  CHECK(fs.truncate_file("/d/none", 0).code() == errc::invalid_argument);
}

TEST_CASE("storage: memory lock conflicts name the holder's pid until released") {
  memory_file_system fs;
  REQUIRE(fs.create_directories("/data"));
  auto first = fs.lock("/data/.lock");
  REQUIRE(first);
  auto second = fs.lock("/data/.lock");
  REQUIRE_FALSE(second);
  CHECK(second.code() == errc::data_dir_locked);
  CHECK(second.err().message.find("/data/.lock") != std::string::npos);
  CHECK(second.err().message.find("pid " + std::to_string(::getpid())) != std::string::npos);
  first->reset();
  auto third = fs.lock("/data/.lock");
  REQUIRE(third);
  fs.crash();  // the process "died": its locks are gone
  auto fourth = fs.lock("/data/.lock");
  REQUIRE(fourth);
  third->reset();  // a stale holder releasing must not drop the new lock
  CHECK(fs.lock("/data/.lock").code() == errc::data_dir_locked);
}
