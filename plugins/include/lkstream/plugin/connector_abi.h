#pragma once
/*
 * LKSTREAM connector ABI, version 1.2 (1.0 plus LKS_KIND_BY_CONFIG, schema key patterns,
 * host->config_key and host->set_condition in 1.1; host->describe_topic in 1.2).
 * Plain C: a connector is a shared library
 * (liblkstream_<name>.so) that exports one function, lkstream_connector_entry(), returning a
 * static descriptor. It links neither lkstream nor CAF; everything it needs from the host comes
 * through the lks_host function table it receives in create().
 *
 * Life cycle of one instance, every call made by the host on the connector's own thread (one
 * dedicated thread per running instance; never two calls on one instance at the same time):
 *
 *   create -> start -> { poll, ack... }*  -> stop -> destroy     (source)
 *   create -> start -> { write, flush }*  -> stop -> destroy     (sink)
 *
 * stop/destroy also follow a failed start, poll, write or flush. After a failure the host
 * destroys the instance, waits (exponential backoff) and creates a new one from scratch, so a
 * connector keeps no state across instances except what it stores durably itself (for
 * example in host->state_dir).
 *
 * Delivery is at-least-once end to end:
 *   - a source hands records to the host with host->emit(..., ack_token); the host calls the
 *     descriptor's ack(token) once every record of that emit is as durable as the topic's
 *     fsync policy promises. Acks arrive in emit order. Only then may the source commit its
 *     upstream position. When an instance fails, the host still delivers (in order) the acks
 *     of the emits that became durable, then stops it; the other tokens are never acked (those
 *     records may or may not be stored: the next instance starts from the last acked position
 *     and emits them again).
 *   - a sink receives records with write() and makes them durable in flush(); the host commits
 *     the sink's position (a consumer-group offset, group "connector.<name>") only after flush
 *     returned LKS_OK. After a crash the sink sees again at most the batch written since the
 *     last successful flush.
 *
 * Errors: functions that can fail return an lks_status code and may write a NUL-terminated,
 * one-line reason into the caller-provided errstr buffer (errstr_size bytes including the NUL;
 * truncate to fit). The host shows that text as the connector's last error.
 *
 * Compatibility: members are only ever appended, by using up the reserved slots at the end of
 * each struct; a new minor version may add members, a new major version breaks the layout.
 * The host refuses a plugin with another major version or a struct_size below
 * LKS_CONNECTOR_MIN_SIZE. A plugin built against a newer minor version must check
 * host->abi_minor / host->struct_size before using host members added after 1.0.
 *
 * Memory: every pointer the host passes in (records, strings, the host table) stays owned by
 * the host and is valid for the documented span only; every pointer the plugin returns in its
 * descriptor (names, schema) must stay valid while the library is loaded (static storage).
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LKS_ABI_MAJOR 1
#define LKS_ABI_MINOR 2

/* The one symbol the host looks up with dlsym. */
#define LKS_ENTRY_SYMBOL "lkstream_connector_entry"

/* Plugins are built with hidden visibility; the entry point must be exported. */
#define LKS_EXPORT __attribute__((visibility("default")))

/* Status codes returned by create/start/poll/write/flush/stop and by host->emit. */
typedef enum lks_status {
  LKS_OK = 0,
  LKS_END = 1,        /* poll only: the input is exhausted for good. The host waits until every
                         emitted record is acked, delivers the acks, then stops the instance
                         and does not restart it (state "finished"). */
  LKS_ERR_RETRY = 2,  /* transient failure (I/O, an upstream outage): the host destroys the
                         instance and creates a new one after a backoff. */
  LKS_ERR_CONFIG = 3, /* the configuration cannot work (a path that is a directory, values
                         that contradict each other): not restarted, state "failed". */
  LKS_ERR_FATAL = 4   /* any other permanent failure: not restarted, state "failed". */
} lks_status;

typedef enum lks_kind {
  LKS_KIND_SOURCE = 1, /* produces records into topics: implements poll (and ack) */
  LKS_KIND_SINK = 2,   /* consumes records from topics: implements write and flush */
  LKS_KIND_BY_CONFIG = 3 /* 1.1: each instance is a source or a sink depending on its
                            configuration: the value of the ENUM key named by kind_key picks
                            it (source when it equals source_value, sink otherwise). Implements
                            poll (and ack) and write and flush; an instance only ever gets the
                            calls of its kind. The kafka_bridge uses it (direction in|out). */
} lks_kind;

/* Types of configuration values. The host checks every [connector.config] value against the
 * declared type before create(), so getters never see malformed values. */
typedef enum lks_config_type {
  LKS_CONFIG_STRING = 1,   /* any text */
  LKS_CONFIG_INT = 2,      /* a signed 64-bit decimal integer */
  LKS_CONFIG_BOOL = 3,     /* true or false */
  LKS_CONFIG_DOUBLE = 4,   /* a number */
  LKS_CONFIG_SIZE = 5,     /* bytes: 4096, "64MiB", "100MB"; config_int gives bytes */
  LKS_CONFIG_DURATION = 6, /* "250ms", "30s", "5m", "7d" or an integer of ms; config_int
                              gives milliseconds */
  LKS_CONFIG_ENUM = 7      /* one of the '|'-separated words in `choices` */
} lks_config_type;

typedef enum lks_log_level {
  LKS_LOG_ERROR = 1,
  LKS_LOG_WARN = 2,
  LKS_LOG_INFO = 3,
  LKS_LOG_DEBUG = 4
} lks_log_level;

/* One key of the connector's declarative configuration schema.
 * Since 1.1 a key may end in '*': a pattern that accepts every key starting with the text
 * before the '*' that no other field names exactly ("*" alone: every other key), each value
 * checked against the field's type. A pattern is never required and has no default. This is
 * how a connector passes a library's own settings through (the kafka_bridge takes every
 * librdkafka property); it finds the keys given with host->config_key. 1.0 hosts refuse a
 * schema with a pattern (the key is not [A-Za-z0-9._-]+), so the error is clear there too. */
typedef struct lks_config_field {
  const char* key;           /* [A-Za-z0-9._-]+, unique within the schema; 1.1: may end in '*' */
  uint32_t type;             /* lks_config_type */
  uint32_t required;         /* 1: the TOML must give it (then default_value is NULL) */
  const char* default_value; /* text in the value's syntax ("64MiB", "true"); NULL: none */
  const char* choices;       /* LKS_CONFIG_ENUM only: "lines|kv|binary"; NULL otherwise */
  const char* description;   /* one line, shown by `lkstream connector describe` */
  void* reserved[2];         /* zero */
} lks_config_field;

/* A record header. Strings are not NUL-terminated. */
typedef struct lks_header {
  const char* key;
  size_t key_len;
  const void* value;
  int64_t value_len; /* -1: null value */
} lks_header;

/* One record, in both directions. Strings and bytes are not NUL-terminated.
 * emit (source -> host): topic NULL/empty = the connector's first topic, otherwise one of its
 *   topics; partition -1 = the default partitioner (murmur2 of the key, sticky when unkeyed);
 *   offset ignored; timestamp -1 = now.
 * write (host -> sink): every field is set from the stored record. */
typedef struct lks_record {
  const char* topic;
  size_t topic_len;
  int32_t partition;
  int64_t offset;
  int64_t timestamp;     /* ms since the Unix epoch */
  const void* key;
  int64_t key_len;       /* -1: null key */
  const void* value;
  int64_t value_len;     /* -1: null value (tombstone) */
  const lks_header* headers;
  size_t header_count;
  void* reserved[2];     /* zero */
} lks_record;

/* Since 1.2: what the host knows of one of its topics, filled by host->describe_topic. A
 * connector that mirrors topics elsewhere (the kafka_bridge) creates and syncs its targets
 * from it. */
typedef struct lks_topic_info {
  int32_t partitions;          /* current partition count (topics only ever grow) */
  uint32_t reserved0;
  int64_t retention_ms;        /* -1: kept forever */
  int64_t retention_bytes;     /* per partition; -1: no size limit */
  int64_t max_message_bytes;   /* the largest record batch the topic accepts */
  const char* cleanup_policy;  /* "delete", "compact" or "compact,delete" (Kafka's syntax);
                                  valid until the next describe_topic call or destroy() */
  void* reserved[6];           /* zero */
} lks_topic_info;

/* Host services, passed to create(). The table and the strings it points to are owned by the
 * host and stay valid until destroy() returns. Every function may be called from the
 * connector's thread (inside create/start/poll/ack/write/flush/stop); log and now_ms also from
 * threads the connector starts itself. */
typedef struct lks_host {
  uint32_t abi_major;   /* LKS_ABI_MAJOR of the host */
  uint32_t abi_minor;   /* LKS_ABI_MINOR of the host */
  uint32_t struct_size; /* sizeof(lks_host) as the host was built */
  uint32_t reserved0;
  void* ctx;            /* opaque; pass it back as the first argument of every function */

  const char* connector_name;   /* the [[connector]] name, e.g. "logs-to-file" */
  const char* const* topics;    /* the connector's topics, in TOML order */
  size_t topic_count;
  const char* state_dir;        /* an existing directory private to this connector that
                                   survives restarts, for small durable state files */

  /* One log line (NUL-terminated, no trailing newline); the host prefixes the connector. */
  void (*log)(void* ctx, int level, const char* message);

  /* Wall-clock milliseconds since the Unix epoch, as the engine stamps records. */
  int64_t (*now_ms)(void* ctx);

  /* Sources only, from inside poll(): hands `count` records to the host. The host copies them
   * before returning (the caller's buffers may be reused at once) and may block while too much
   * is in flight (backpressure). `ack_token` is the plugin's own value, given back to ack()
   * once all `count` records are durable; count may be 0 (then the ack follows the earlier
   * emits). Returns LKS_OK, or an error (unknown topic, record too large, engine closed) with
   * errstr filled; after an error the host will stop this instance once poll returns. */
  int (*emit)(void* ctx, const lks_record* records, size_t count, uint64_t ack_token,
              char* errstr, size_t errstr_size);

  /* Configuration getters: return 1 and set *value when the key has a value (given in the
   * TOML or defaulted by the schema), 0 when it has none or the key's declared type does not
   * fit the getter. config_string works for every type and returns the value's text as the
   * TOML gave it (or the schema default); the string stays valid until destroy().
   * config_int serves INT, SIZE (bytes) and DURATION (ms); config_bool BOOL; config_double
   * DOUBLE and INT. */
  int (*config_string)(void* ctx, const char* key, const char** value);
  int (*config_int)(void* ctx, const char* key, int64_t* value);
  int (*config_bool)(void* ctx, const char* key, int* value);
  int (*config_double)(void* ctx, const char* key, double* value);

  /* Since 1.1 (check abi_minor >= 1 first): the index-th key (0-based, in byte order) that has
   * a value, given or defaulted, including keys matched by a pattern field; NULL when index is
   * past the last one. The string stays valid until destroy(). */
  const char* (*config_key)(void* ctx, size_t index);

  /* Since 1.1: reports a degraded condition the connector rides out by itself instead of
   * failing (e.g. "Kafka unreachable: Connection refused"), one NUL-terminated line shown in
   * the connector's status until cleared with NULL or "". The text is copied. */
  void (*set_condition)(void* ctx, const char* condition);

  /* Since 1.2 (check abi_minor >= 2 first): fills *info with the current partition count and
   * settings of `topic` (any topic of the engine, not only the connector's). Returns LKS_OK,
   * LKS_ERR_CONFIG when no such topic exists, or LKS_ERR_RETRY (the engine is closing), with
   * errstr filled on errors. Connector thread only. */
  int (*describe_topic)(void* ctx, const char* topic, lks_topic_info* info, char* errstr,
                        size_t errstr_size);

  void* reserved[13];
} lks_host;

/* The connector descriptor: static data plus the entry points of an instance. The host reads
 * it right after dlopen, before any instance exists; it must stay valid while the library is
 * loaded. */
typedef struct lks_connector {
  uint32_t abi_major;   /* LKS_ABI_MAJOR the plugin was built with; must equal the host's */
  uint32_t abi_minor;   /* LKS_ABI_MINOR the plugin was built with */
  uint32_t struct_size; /* sizeof(lks_connector) as the plugin was built */
  uint32_t kind;        /* lks_kind */
  const char* name;     /* must equal <name> of liblkstream_<name>.so */
  const char* version;  /* the connector's own version, free text */
  const char* description; /* one line */
  const lks_config_field* config_fields; /* the schema; keys not listed here are rejected */
  size_t config_field_count;

  /* Makes an instance. `host` stays valid until destroy(). Reads its configuration through
   * the host getters (already validated against the schema). Should not touch the outside
   * world yet (no files, no connections): that is start()'s job. On failure returns an error
   * and leaves *instance unset; destroy is then not called. */
  int (*create)(const lks_host* host, void** instance, char* errstr, size_t errstr_size);

  /* Opens files, connections, and restores durable state. Called once, after create. */
  int (*start)(void* instance, char* errstr, size_t errstr_size);

  /* Sources: waits at most timeout_ms for input, emits what is there (any number of
   * host->emit calls), returns LKS_OK (also when nothing arrived), LKS_END, or an error. Must
   * return within timeout_ms (plus the time emit blocks): the host stops connectors between
   * polls. NULL for sinks. */
  int (*poll)(void* instance, int64_t timeout_ms, char* errstr, size_t errstr_size);

  /* Sources: every record of the emit that carried `ack_token` is durable; called between
   * polls, in emit order, once per emit. The place to commit an upstream position. May be
   * NULL when the source has nothing to commit. NULL for sinks. */
  void (*ack)(void* instance, uint64_t ack_token);

  /* Sinks: takes `count` records (count >= 1) of the connector's topics. The records and
   * everything they point to are valid during the call only. May buffer; nothing written is
   * considered delivered until flush() returns LKS_OK. NULL for sources. */
  int (*write)(void* instance, const lks_record* records, size_t count, char* errstr,
               size_t errstr_size);

  /* Sinks: makes everything written so far durable (fsync, remote acknowledgement). After
   * LKS_OK the host commits the position past those records. NULL for sources. */
  int (*flush)(void* instance, char* errstr, size_t errstr_size);

  /* Releases outside resources (closes files, connections); called once after start (also
   * after a failed start or a failure), never concurrently with another call. A source is
   * stopped after the acks of everything that became durable were delivered. */
  int (*stop)(void* instance, char* errstr, size_t errstr_size);

  /* Frees the instance. Last call on it; the host table is invalid afterwards. */
  void (*destroy)(void* instance);

  /* Since 1.1, LKS_KIND_BY_CONFIG only (NULL otherwise): the schema key (an ENUM with a
   * default, or required) whose value decides an instance's kind, and the value that makes it
   * a source; every other value makes it a sink. The host decides right after validating the
   * configuration, before create(). */
  const char* kind_key;
  const char* source_value;

  void* reserved[14]; /* zero */
} lks_connector;

/* The smallest struct_size the host accepts: the 1.0 layout (later minors fill reserved
 * slots, so the size stays; if the struct ever grows, this stays at the 1.0 value). */
#define LKS_CONNECTOR_MIN_SIZE ((uint32_t)sizeof(lks_connector))

/* The entry point every connector library exports (see LKS_ENTRY_SYMBOL). Called by the
 * loader thread right after dlopen; returns a pointer to static storage, never NULL. */
typedef const lks_connector* (*lks_entry_fn)(void);
LKS_EXPORT const lks_connector* lkstream_connector_entry(void);

#ifdef __cplusplus
}
#endif
