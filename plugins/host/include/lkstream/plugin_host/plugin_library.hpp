#pragma once
// One loaded connector library (liblkstream_<plugin>.so): dlopen'ed with RTLD_NOW|RTLD_LOCAL,
// its entry symbol resolved and its descriptor checked before anything else runs:
//   - the file exists in one of the search directories,
//   - it exports lkstream_connector_entry and that returns a descriptor,
//   - the descriptor's ABI major equals the host's and struct_size is at least the 1.0 layout,
//   - its name equals <plugin> of the file name, its kind is source, sink or (ABI 1.1)
//     by-config with a valid kind_key, it has the entry points its kind needs, and its config
//     schema is well-formed.
// Any failure is one error naming the file and the reason (errc::not_found when no directory
// has the file, errc::invalid_argument otherwise); nothing of a rejected plugin is called
// except its entry function.
//
// Lifetime: the library stays loaded while a shared_ptr to it lives. Every object that holds
// a function or data pointer of the plugin (an instance, the actor running it) must hold the
// shared_ptr too, and drop it last (caf-0.17-notes.md section 8: unloading code that is still
// referenced crashes later, not at dlclose).
//
// Threading: load/open may run on any thread; a loaded library is immutable.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/config/config.hpp"
#include "lkstream/plugin/connector_abi.h"
#include "lkstream/plugin_host/connector_schema.hpp"

namespace lkstream::plugin_host {

class plugin_library {
 public:
  /// Finds liblkstream_<plugin>.so in `dirs` (first match wins) and opens it.
  static result<std::shared_ptr<const plugin_library>> load(std::string_view plugin,
                                                            const std::vector<std::string>& dirs);

  /// Opens one file whose connector must be called `expected_name`.
  static result<std::shared_ptr<const plugin_library>> open(const std::string& path,
                                                            std::string_view expected_name);

  ~plugin_library();
  plugin_library(const plugin_library&) = delete;
  plugin_library& operator=(const plugin_library&) = delete;

  const lks_connector& descriptor() const { return *descriptor_; }
  const connector_schema& schema() const { return schema_; }
  const std::string& path() const { return path_; }
  std::string_view name() const { return descriptor_->name; }
  /// As declared: source, sink, or LKS_KIND_BY_CONFIG.
  lks_kind kind() const { return static_cast<lks_kind>(descriptor_->kind); }
  /// What an instance with these (validated) settings is: source or sink, never BY_CONFIG.
  lks_kind kind_for(const connector_settings& settings) const;

 private:
  plugin_library() = default;

  void* handle_ = nullptr;
  const lks_connector* descriptor_ = nullptr;
  connector_schema schema_;
  std::string path_;
};

/// "liblkstream_<plugin>.so".
std::string plugin_file_name(std::string_view plugin);

/// Where connectors are looked for: broker.plugin_dirs in order, then the installed connectors
/// next to the program (installed_connector_dirs), then the directory this build puts its own
/// connectors in (so a build tree works without configuration).
std::vector<std::string> plugin_search_path(const config::broker_settings& broker);

/// The connector directories of an installed program, those that exist, relative to the ELF file
/// the plugin host is linked into: `<bin>/../lib/lkstream/connectors` for the executable of the
/// tarball and the .deb, `<module dir>/connectors` for the Python wheel's module. Empty in a
/// build tree.
std::vector<std::string> installed_connector_dirs();

/// The build's own connector directory (${CMAKE_BINARY_DIR}/connectors).
std::string_view builtin_connector_dir();

/// "source", "sink" or "source or sink".
std::string_view to_string(lks_kind kind);

}  // namespace lkstream::plugin_host
