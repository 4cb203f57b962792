/* A working source written in plain C against connector_abi.h alone: emits the decimal numbers
 * 0 .. count-1 (value only), `batch` per emit, then reports the end of its input. Its acks
 * must arrive in emit order; an out-of-order ack makes the next poll fail fatally. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkstream/plugin/connector_abi.h"

typedef struct counter {
  const lks_host* host;
  int64_t count;
  int64_t batch;
  int64_t next;
  uint64_t last_token;
  uint64_t last_acked;
  int out_of_order;
} counter;

static const lks_config_field fields[] = {
    {"count", LKS_CONFIG_INT, 0, "100", NULL, "numbers to emit", {0, 0}},
    {"batch", LKS_CONFIG_INT, 0, "10", NULL, "numbers per emit", {0, 0}},
};

static int create(const lks_host* host, void** instance, char* errstr, size_t n) {
  counter* c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(errstr, n, "out of memory");
    return LKS_ERR_RETRY;
  }
  c->host = host;
  host->config_int(host->ctx, "count", &c->count);
  host->config_int(host->ctx, "batch", &c->batch);
  if (c->batch < 1) c->batch = 1;
  *instance = c;
  return LKS_OK;
}

static int start(void* instance, char* errstr, size_t n) {
  (void)instance; (void)errstr; (void)n;
  return LKS_OK;
}

static int poll(void* instance, int64_t timeout_ms, char* errstr, size_t n) {
  counter* c = instance;
  (void)timeout_ms;
  if (c->out_of_order) {
    snprintf(errstr, n, "ack out of emit order");
    return LKS_ERR_FATAL;
  }
  if (c->next >= c->count) return LKS_END;
  char text[64][24];
  lks_record records[64];
  int64_t k = 0;
  memset(records, 0, sizeof records);
  while (k < c->batch && k < 64 && c->next < c->count) {
    int len = snprintf(text[k], sizeof text[k], "%lld", (long long)c->next++);
    records[k].partition = -1;
    records[k].timestamp = -1;
    records[k].key_len = -1;
    records[k].value = text[k];
    records[k].value_len = len;
    ++k;
  }
  return c->host->emit(c->host->ctx, records, (size_t)k, ++c->last_token, errstr, n);
}

static void ack(void* instance, uint64_t token) {
  counter* c = instance;
  if (token != c->last_acked + 1) c->out_of_order = 1;
  c->last_acked = token;
}

static int stop(void* instance, char* errstr, size_t n) {
  (void)instance; (void)errstr; (void)n;
  return LKS_OK;
}

static void destroy(void* instance) { free(instance); }

static const lks_connector descriptor = {
    LKS_ABI_MAJOR, LKS_ABI_MINOR, sizeof(lks_connector), LKS_KIND_SOURCE,
    "c_counter_source", "1.0", "emits 0..count-1, in C",
    fields, 2,
    create, start, poll, ack, NULL, NULL, stop, destroy,
    NULL, /* kind_key (1.1, LKS_KIND_BY_CONFIG only) */
    NULL, /* source_value */
    {0},
};

LKS_EXPORT const lks_connector* lkstream_connector_entry(void) { return &descriptor; }
