// posix_file_system against a real temporary directory.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include "framework/log_test_support.hpp"
#include "lkstream/storage/posix_file_system.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using lkstream::storage::test::temp_dir;

TEST_CASE("storage: posix files append, write at positions, read, truncate and sync") {
  temp_dir tmp;
  auto fs = make_posix_file_system();
  const std::string path = join_path(tmp.path, "a.log");
  {
    auto f = fs->open(path, open_mode::create);
    REQUIRE(f);
    REQUIRE((*f)->append(as_bytes("hello")));
    REQUIRE((*f)->append(as_bytes(" world")));
    REQUIRE((*f)->write_at(0, as_bytes("J")));
    CHECK((*f)->size() == 11);
    REQUIRE((*f)->sync());
    bytes out(5);
    CHECK(*(*f)->read_at(6, out) == 5);
    CHECK(as_string_view(out) == "world");
    CHECK(*(*f)->read_at(100, out) == 0);
    REQUIRE((*f)->truncate(5));
    CHECK((*f)->size() == 5);
    REQUIRE((*f)->append(as_bytes("!")));
  }
  auto again = fs->open(path, open_mode::read_only);
  REQUIRE(again);
  CHECK((*again)->size() == 6);
  bytes out(6);
  REQUIRE((*again)->read_at(0, out));
  CHECK(as_string_view(out) == "Jello!");
  CHECK((*again)->append(as_bytes("x")).code() == errc::io_error);
  CHECK(fs->open(path, open_mode::create_truncate).has_value());
  CHECK((*fs->open(path, open_mode::read_only))->size() == 0);
}

TEST_CASE("storage: posix descriptors are opened close-on-exec") {
  temp_dir tmp;
  auto fs = make_posix_file_system();
  const std::string path = join_path(tmp.path, "cloexec.log");
  auto f = fs->open(path, open_mode::create);
  REQUIRE(f);
  int found = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(e.path(), ec);
    if (ec || target != path) continue;
    const int fd = std::stoi(e.path().filename().string());
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    ++found;
  }
  CHECK(found == 1);
}

TEST_CASE("storage: posix errors name the path and map ENOENT and ENOSPC") {
  temp_dir tmp;
  auto fs = make_posix_file_system();
  const std::string missing = join_path(tmp.path, "nope/a.log");
  auto r = fs->open(missing, open_mode::create);
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::not_found);
  CHECK(r.err().message.find(missing) != std::string::npos);
  CHECK(r.err().message.find("No such file or directory") != std::string::npos);
  if (::access("/dev/full", W_OK) == 0) {
    auto full = fs->open("/dev/full", open_mode::read_write);
    REQUIRE(full);
    auto st = (*full)->append(as_bytes("data"));
    REQUIRE_FALSE(st);
    CHECK(st.code() == errc::no_space);
    CHECK(st.err().message.find("/dev/full") != std::string::npos);
  }
}

TEST_CASE("storage: posix directories are created, listed sorted, renamed and removed") {
  temp_dir tmp;
  auto fs = make_posix_file_system();
  const std::string d = join_path(tmp.path, "x/y/z");
  REQUIRE(fs->create_directories(d));
  REQUIRE(fs->create_directories(d));  // idempotent
  CHECK(fs->is_directory(d));
  for (const char* n : {"c", "a", "b"}) REQUIRE(fs->open(join_path(d, n), open_mode::create));
  REQUIRE(fs->create_directories(join_path(d, "sub")));
  auto names = fs->list(d);
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{"a", "b", "c", "sub"});
  REQUIRE(fs->rename(join_path(d, "a"), join_path(d, "d")));
  CHECK_FALSE(fs->exists(join_path(d, "a")));
  CHECK(fs->exists(join_path(d, "d")));
  REQUIRE(fs->sync_directory(d));
  REQUIRE(fs->remove_all(join_path(tmp.path, "x")));
  CHECK_FALSE(fs->exists(join_path(tmp.path, "x")));
  REQUIRE(fs->remove_all(join_path(tmp.path, "x")));  // missing is fine
  CHECK(fs->list(join_path(tmp.path, "x")).code() == errc::not_found);
}

TEST_CASE("storage: a second posix lock fails with data_dir_locked naming the holder pid") {
  temp_dir tmp;
  auto fs = make_posix_file_system();
  const std::string path = join_path(tmp.path, ".lock");
  auto first = fs->lock(path);
  REQUIRE(first);
  auto second = fs->lock(path);  // same process, another descriptor: still a conflict
  REQUIRE_FALSE(second);
  CHECK(second.code() == errc::data_dir_locked);
  CHECK(second.err().message.find(path) != std::string::npos);
  CHECK(second.err().message.find("pid " + std::to_string(::getpid())) != std::string::npos);
  first->reset();
  auto third = fs->lock(path);
  CHECK(third.has_value());
}

TEST_CASE("storage: join_path joins without doubling slashes") {
  CHECK(join_path("/a", "b") == "/a/b");
  CHECK(join_path("/a/", "b") == "/a/b");
  CHECK(join_path("/a", "/b") == "/a/b");
  CHECK(join_path("", "b") == "b");
  CHECK(join_path("rel", "x.log") == "rel/x.log");
}
