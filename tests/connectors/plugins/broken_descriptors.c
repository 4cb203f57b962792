/* Deliberately broken connector libraries, in plain C (which also proves connector_abi.h is
 * C). One source file, compiled once per defect with BROKEN_<DEFECT> defined; each library is
 * named as the plugin the tests load it as:
 *   liblkstream_bad_abi_major.so   abi_major = LKS_ABI_MAJOR + 1 (minor 0)
 *   liblkstream_short_struct.so    struct_size smaller than the 1.0 layout
 *   liblkstream_no_entry.so        exports lkstream_connector_entry_v0 instead of the entry symbol
 *   liblkstream_misnamed.so        calls itself "someone_else"
 *   liblkstream_bad_schema.so      an enum key without choices
 *   liblkstream_bad_kind_key.so    LKS_KIND_BY_CONFIG (1.1) whose kind_key is a string field
 * Nothing here may ever be called beyond the entry function: every entry point aborts. */
#include <stdlib.h>

#include "lkstream/plugin/connector_abi.h"

static int never_create(const lks_host* host, void** instance, char* errstr, size_t n) {
  (void)host; (void)instance; (void)errstr; (void)n;
  abort();
}
static int never_call(void* instance, char* errstr, size_t n) {
  (void)instance; (void)errstr; (void)n;
  abort();
}
static int never_poll(void* instance, int64_t timeout_ms, char* errstr, size_t n) {
  (void)instance; (void)timeout_ms; (void)errstr; (void)n;
  abort();
}
#ifdef BROKEN_BAD_KIND_KEY
static int never_write(void* instance, const lks_record* records, size_t count, char* errstr,
                       size_t n) {
  (void)instance; (void)records; (void)count; (void)errstr; (void)n;
  abort();
}
#endif
static void never_destroy(void* instance) {
  (void)instance;
  abort();
}

static const lks_config_field fields[] = {
#ifdef BROKEN_BAD_SCHEMA
    {"format", LKS_CONFIG_ENUM, 0, "lines", NULL, "an enum that forgot its choices", {0, 0}},
#else
    {"path", LKS_CONFIG_STRING, 0, "-", NULL, "unused", {0, 0}},
#endif
};

static lks_connector descriptor = {
    LKS_ABI_MAJOR,
    LKS_ABI_MINOR,
    sizeof(lks_connector),
    LKS_KIND_SOURCE,
    PLUGIN_NAME,
    "0",
    "a broken test plugin",
    fields,
    1,
    never_create,
    never_call,
    never_poll,
    NULL,
    NULL,
    NULL,
    never_call,
    never_destroy,
    NULL, /* kind_key (1.1, LKS_KIND_BY_CONFIG only) */
    NULL, /* source_value */
    {0},
};

#ifdef BROKEN_NO_ENTRY
LKS_EXPORT const lks_connector* lkstream_connector_entry_v0(void) { return &descriptor; }
#else
LKS_EXPORT const lks_connector* lkstream_connector_entry(void) {
#ifdef BROKEN_BAD_ABI_MAJOR
  descriptor.abi_major = LKS_ABI_MAJOR + 1;
  descriptor.abi_minor = 0;
#endif
#ifdef BROKEN_SHORT_STRUCT
  descriptor.struct_size = 24;
#endif
#ifdef BROKEN_BAD_KIND_KEY
  descriptor.kind = LKS_KIND_BY_CONFIG;
  descriptor.write = never_write;
  descriptor.flush = never_call;
  descriptor.kind_key = "path";
  descriptor.source_value = "in";
#endif
  return &descriptor;
}
#endif
