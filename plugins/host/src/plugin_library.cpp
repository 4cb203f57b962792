#include "lkstream/plugin_host/plugin_library.hpp"

#include <dlfcn.h>
#include <link.h>
#include <sys/stat.h>

#include <climits>
#include <cstdlib>

namespace lkstream::plugin_host {
namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The directory of the ELF file this code is linked into: the `lkstream` executable, or the
// Python module (_lkstream*.so) that embeds the CLI. Empty when it cannot be told.
std::string own_directory() {
  Dl_info info{};
  link_map* map = nullptr;
  if (::dladdr1(reinterpret_cast<const void*>(&own_directory), &info,
                reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) == 0 || !map)
    return {};
  // The main program's link map has an empty name: its path is /proc/self/exe.
  std::string file = map->l_name && *map->l_name ? map->l_name : "/proc/self/exe";
  char resolved[PATH_MAX];
  if (!::realpath(file.c_str(), resolved)) return {};
  std::string dir = resolved;
  const auto slash = dir.rfind('/');
  return slash == std::string::npos ? std::string{} : dir.substr(0, slash == 0 ? 1 : slash);
}

// What a descriptor of this kind must provide; empty when complete.
std::string missing_entry_points(const lks_connector& d) {
  std::string missing;
  auto need = [&](const void* fn, const char* name) {
    if (fn) return;
    if (!missing.empty()) missing += ", ";
    missing += name;
  };
  need(reinterpret_cast<const void*>(d.create), "create");
  need(reinterpret_cast<const void*>(d.start), "start");
  need(reinterpret_cast<const void*>(d.stop), "stop");
  need(reinterpret_cast<const void*>(d.destroy), "destroy");
  if (d.kind != LKS_KIND_SINK) need(reinterpret_cast<const void*>(d.poll), "poll");
  if (d.kind != LKS_KIND_SOURCE) {
    need(reinterpret_cast<const void*>(d.write), "write");
    need(reinterpret_cast<const void*>(d.flush), "flush");
  }
  return missing;
}

// LKS_KIND_BY_CONFIG: kind_key names an enum field that always has a value, and source_value
// is one of its choices. Empty when fine.
std::string kind_key_problem(const lks_connector& d, const connector_schema& schema) {
  if (d.abi_minor < 1) return "LKS_KIND_BY_CONFIG needs ABI 1.1 (the plugin says 1." +
                              std::to_string(d.abi_minor) + ")";
  if (!d.kind_key || !d.source_value)
    return "LKS_KIND_BY_CONFIG needs kind_key and source_value";
  const config_field* f = schema.find(d.kind_key);
  if (!f || f->is_pattern() || f->type != LKS_CONFIG_ENUM || (!f->required && !f->default_value))
    return "kind_key " + quoted(d.kind_key) +
           " must name an enum field of the schema that is required or has a default";
  for (auto& c : f->choices)
    if (c == d.source_value) return {};
  return "source_value " + quoted(d.source_value) + " is not a choice of " + quoted(d.kind_key);
}

}  // namespace

std::string plugin_file_name(std::string_view plugin) {
  return "liblkstream_" + std::string(plugin) + ".so";
}

std::string_view builtin_connector_dir() { return LKSTREAM_BUILTIN_CONNECTOR_DIR; }

std::string_view to_string(lks_kind kind) {
  switch (kind) {
    case LKS_KIND_SOURCE: return "source";
    case LKS_KIND_SINK: return "sink";
    case LKS_KIND_BY_CONFIG: return "source or sink";
  }
  return "unknown";
}

lks_kind plugin_library::kind_for(const connector_settings& settings) const {
  const lks_kind k = kind();
  if (k != LKS_KIND_BY_CONFIG) return k;
  const setting_value* v = settings.find(descriptor_->kind_key);
  return v && v->text == descriptor_->source_value ? LKS_KIND_SOURCE : LKS_KIND_SINK;
}

std::vector<std::string> installed_connector_dirs() {
  std::vector<std::string> dirs;
  const std::string own = own_directory();
  if (own.empty()) return dirs;
  // bin/lkstream -> lib/lkstream/connectors (tarball, .deb); lkstream/_lkstream*.so ->
  // lkstream/connectors (wheel).
  for (const char* rel : {"/../lib/lkstream/connectors", "/connectors"}) {
    char resolved[PATH_MAX];
    const std::string dir = own + rel;
    if (is_dir(dir) && ::realpath(dir.c_str(), resolved)) dirs.emplace_back(resolved);
  }
  return dirs;
}

std::vector<std::string> plugin_search_path(const config::broker_settings& broker) {
  auto dirs = broker.plugin_dirs;
  for (auto& dir : installed_connector_dirs()) dirs.push_back(std::move(dir));
  dirs.emplace_back(builtin_connector_dir());
  return dirs;
}

result<std::shared_ptr<const plugin_library>> plugin_library::load(
    std::string_view plugin, const std::vector<std::string>& dirs) {
  const std::string file = plugin_file_name(plugin);
  std::string searched;
  for (auto& dir : dirs) {
    std::string path = dir.empty() ? file : dir + "/" + file;
    if (is_file(path)) return open(path, plugin);
    if (!searched.empty()) searched += ", ";
    searched += dir;
  }
  return error{errc::not_found, "plugin " + quoted(plugin) + ": " + file + " not found in " +
                                    (searched.empty() ? "any directory" : searched) +
                                    " (list its directory in broker.plugin_dirs)"};
}

result<std::shared_ptr<const plugin_library>> plugin_library::open(
    const std::string& path, std::string_view expected_name) {
  auto fail = [&](std::string why) {
    return error{errc::invalid_argument, path + ": " + std::move(why)};
  };
  std::shared_ptr<plugin_library> lib(new plugin_library);
  lib->path_ = path;
  ::dlerror();
  lib->handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle_) {
    const char* why = ::dlerror();
    return fail(std::string("cannot load: ") + (why ? why : "dlopen failed"));
  }
  auto entry = reinterpret_cast<lks_entry_fn>(::dlsym(lib->handle_, LKS_ENTRY_SYMBOL));
  if (!entry)
    return fail("does not export " LKS_ENTRY_SYMBOL " (not a LKSTREAM connector, or the "
                "symbol is hidden: define it with LKSTREAM_CONNECTOR(...) or LKS_EXPORT)");
  const lks_connector* d = entry();
  if (!d) return fail(LKS_ENTRY_SYMBOL " returned NULL");
  if (d->abi_major != LKS_ABI_MAJOR)
    return fail("built for connector ABI " + std::to_string(d->abi_major) + "." +
                std::to_string(d->abi_minor) + ", this host speaks ABI " +
                std::to_string(LKS_ABI_MAJOR) + "." + std::to_string(LKS_ABI_MINOR) +
                " (rebuild the connector against this lkstream's connector_abi.h)");
  if (d->struct_size < LKS_CONNECTOR_MIN_SIZE)
    return fail("descriptor struct_size is " + std::to_string(d->struct_size) +
                " bytes, less than the ABI 1.0 layout of " +
                std::to_string(LKS_CONNECTOR_MIN_SIZE) +
                " bytes (built against a different or damaged connector_abi.h)");
  if (!d->name || std::string_view(d->name) != expected_name)
    return fail("the connector calls itself " +
                (d->name ? quoted(d->name) : std::string("NULL")) + " but is loaded as plugin " +
                quoted(expected_name) + " (the file must be named " +
                plugin_file_name(d->name ? d->name : "<name>") + ")");
  if (d->kind != LKS_KIND_SOURCE && d->kind != LKS_KIND_SINK && d->kind != LKS_KIND_BY_CONFIG)
    return fail("kind " + std::to_string(d->kind) +
                " is none of LKS_KIND_SOURCE, LKS_KIND_SINK, LKS_KIND_BY_CONFIG");
  if (auto missing = missing_entry_points(*d); !missing.empty())
    return fail(std::string("a ") + std::string(to_string(static_cast<lks_kind>(d->kind))) +
                " must provide " + missing + " (NULL in the descriptor)");
  auto schema = connector_schema::from_descriptor(*d);
  if (!schema) return fail(schema.err().message);
  if (d->kind == LKS_KIND_BY_CONFIG)
    if (auto problem = kind_key_problem(*d, *schema); !problem.empty()) return fail(problem);
  lib->descriptor_ = d;
  lib->schema_ = std::move(*schema);
  return std::shared_ptr<const plugin_library>(std::move(lib));
}

plugin_library::~plugin_library() {
  if (handle_) ::dlclose(handle_);
}

}  // namespace lkstream::plugin_host
