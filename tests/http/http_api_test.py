"""The HTTP listener of `lkstream serve` (issue 18): /health, /metrics (promtool and values),
the /api/v1 JSON API, and bad input. One real server for the whole group, Kafka traffic from
kcat.

    http_api_test.py LKSTREAM_BINARY KCAT PROMTOOL

Prints one line per case and "N passed, N failed"; exits non-zero on any failure.
"""

import json
import re
import socket
import subprocess
import sys
import time
import traceback
import urllib.parse

from serve_fixture import Server, wait_for

binary, kcat, promtool = sys.argv[1:4]
server = Server(binary, kcat)
results = []


def case(fn):
    try:
        fn()
        results.append((fn.__name__, None))
        print(f"PASS {fn.__name__}", flush=True)
    except Exception:  # noqa: BLE001 - every failure is reported with its traceback
        results.append((fn.__name__, traceback.format_exc()))
        print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)


def parse_metrics(text):
    """{(name, frozenset(labels)): value} of a Prometheus text page."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)', line)
        assert m, f"unparsable sample line {line!r}"
        labels = frozenset(re.findall(r'([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def metric_sum(samples, name, **labels):
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


def scrape():
    status, headers, body = server.request("GET", "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return body.decode()


PRODUCED = [f"k{i}:{{\"n\": {i}}}" for i in range(300)]


def health_is_live_and_ready():
    assert server.request("GET", "/health/live")[0] == 200
    status, _, body = server.request("GET", "/health/ready")
    assert status == 200 and body == b"ready\n", (status, body)


def create_topic_through_api():
    status, _, body = server.request("POST", "/api/v1/topics", {"name": "orders", "partitions": 3})
    assert status == 201, (status, body)
    t = json.loads(body)
    assert t["name"] == "orders" and t["partition_count"] == 3
    assert t["config"]["fsync"] == '"interval"', t["config"]
    assert "orders" in [x["name"] for x in server.get_json("/api/v1/topics")["topics"]]


def create_topic_refusals():
    status, _, body = server.request("POST", "/api/v1/topics", {"name": "orders", "partitions": 1})
    assert status == 409 and json.loads(body)["code"] == "topic_exists", (status, body)
    status, _, body = server.request("POST", "/api/v1/topics", {"name": "bad name!"})
    assert status == 400, (status, body)
    status, _, body = server.request("POST", "/api/v1/topics", b"{not json")
    assert status == 400, (status, body)
    status, _, body = server.request("POST", "/api/v1/topics", {"name": "x", "partitions": 0})
    assert status == 400, (status, body)
    # A cross-site form cannot send JSON: anything else is refused before it is read.
    status, _, body = server.request("POST", "/api/v1/topics", b"name=x",
                                     content_type="application/x-www-form-urlencoded")
    assert status == 415, (status, body)
    assert "x" not in [t["name"] for t in server.get_json("/api/v1/topics")["topics"]]


def produce_and_consume_show_in_api_and_metrics():
    server.produce("orders", PRODUCED)
    offsets = server.consume_group("readers", "orders", len(PRODUCED))
    assert len(offsets) == len(PRODUCED)
    t = server.get_json("/api/v1/topics/orders")
    assert sum(p["high_watermark"] - p["log_start"] for p in t["partitions"]) == 300, t
    assert t["records"] == 300 and t["size_bytes"] > 300 * 10
    # The group committed everything it read (on close): lag 0.
    g = wait_for("readers to commit 300",
                 lambda: (lambda g: g if sum(o["committed"] for o in g["offsets"]) == 300 else None)(
                     server.get_json("/api/v1/groups/readers")))
    assert g["lag"] == 0 and g["state"] == "Empty" and len(g["offsets"]) == 3, g
    # Then 120 more while nobody reads: the stopped group lags by exactly those.
    server.produce("orders", [f"late{i}:v{i}" for i in range(120)])
    g = server.get_json("/api/v1/groups/readers")
    assert g["lag"] == 120, g
    assert {"group_id": "readers", "state": "Empty", "protocol_type": "consumer", "protocol": "",
            "members": 0, "lag": 120}.items() <= next(
        x for x in server.get_json("/api/v1/groups")["groups"] if x["group_id"] == "readers").items()

    text = scrape()
    m = parse_metrics(text)
    assert metric_sum(m, "lkstream_partition_end_offset", topic="orders") == 420
    assert metric_sum(m, "lkstream_partition_high_watermark", topic="orders") == 420
    assert metric_sum(m, "lkstream_group_lag", group="readers", topic="orders") == 120
    assert metric_sum(m, "lkstream_group_committed_offset", group="readers") == 300
    assert m[("lkstream_group_state", frozenset({("group", "readers"), ("state", "Empty")}))] == 1
    assert metric_sum(m, "lkstream_topic_partitions", topic="orders") == 3
    assert metric_sum(m, "lkstream_partition_size_bytes", topic="orders") == sum(
        p["size_bytes"] for p in server.get_json("/api/v1/topics/orders")["partitions"])
    produce_requests = metric_sum(m, "lkstream_kafka_requests_total", api="Produce")
    assert produce_requests >= 2, produce_requests
    assert metric_sum(m, "lkstream_kafka_requests_total", api="Fetch") >= 1
    assert metric_sum(m, "lkstream_kafka_requests_total", api="OffsetCommit") >= 1
    assert metric_sum(m, "lkstream_kafka_request_duration_seconds_count", api="Produce") == \
        produce_requests
    # The request bytes of Produce hold at least every value produced.
    assert metric_sum(m, "lkstream_kafka_request_bytes_total", api="Produce") > \
        sum(len(x) for x in PRODUCED)
    assert metric_sum(m, "lkstream_kafka_connections_accepted_total") >= 3
    assert m[("process_open_fds", frozenset())] > 3
    assert m[("process_resident_memory_bytes", frozenset())] > 1 << 20
    assert m[("lkstream_ready", frozenset())] == 1
    # fsync = interval: the partitions synced.
    assert m[("lkstream_storage_fsync_seconds_count", frozenset())] >= 1


def metrics_pass_promtool():
    r = subprocess.run([promtool, "check", "metrics"], input=scrape(), capture_output=True,
                       text=True, timeout=60)
    # promtool prints lint hints (e.g. counters without _total) on stdout and fails on errors.
    assert r.returncode == 0, f"promtool: {r.stdout}{r.stderr}"
    assert r.stdout.strip() == "" and r.stderr.strip() == "", f"promtool: {r.stdout}{r.stderr}"


def docs_list_every_metric():
    """docs/operations.md's table names exactly the families /metrics has (connectors and
    `process_max_fds`/`lkstream_kafka_max_connections` may be absent here), and the Grafana
    dashboard queries only metrics that exist."""
    import os
    docs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")
    families = set(re.findall(r"^# TYPE (\S+) ", scrape(), re.M))
    table = open(os.path.join(docs, "operations.md")).read()
    documented = set(re.findall(r"^\| `([a-z_]+)` \| (?:counter|gauge|histogram) \|", table, re.M))
    assert families - documented == set(), families - documented
    missing = documented - families
    assert all(n.startswith("lkstream_connector_") or n in ("process_max_fds",
               "lkstream_kafka_max_connections") for n in missing), missing
    dashboard = open(os.path.join(docs, "grafana-dashboard.json")).read()
    used = set(re.findall(r"\b((?:lkstream|process)_[a-z_]+)", dashboard))
    used = {re.sub(r"_(bucket|sum|count)$", "", n) for n in used}
    assert used <= documented, used - documented


def browse_records_by_offset_and_timestamp():
    seen = {}
    for p in range(3):
        page = server.get_json(f"/api/v1/topics/orders/partitions/{p}/records?offset=0&limit=500")
        offs = [r["offset"] for r in page["records"]]
        assert offs == list(range(len(offs))), offs[:10]
        assert page["next_offset"] == len(offs) == page["high_watermark"]
        for r in page["records"]:
            seen[r["key"]["text"]] = r["value"]["text"]
            assert r["key"]["hex"] == r["key"]["text"].encode().hex()
    expected = dict(x.split(":", 1) for x in PRODUCED)
    expected.update({f"late{i}": f"v{i}" for i in range(120)})
    assert seen == expected
    page = server.get_json("/api/v1/topics/orders/partitions/1/records?offset=5&limit=3")
    assert [r["offset"] for r in page["records"]] == [5, 6, 7]
    first_ts = page["records"][0]["timestamp"]
    page = server.get_json(f"/api/v1/topics/orders/partitions/1/records?timestamp={first_ts}&limit=1")
    assert page["records"][0]["timestamp"] >= first_ts
    assert page["records"][0]["offset"] <= 5


def bad_query_parameters_are_400():
    for q in ["limit=0", "limit=abc", "limit=100000", "offset=-1", "offset=1x",
              "timestamp=", "offset=1&timestamp=2"]:
        status, _, body = server.request("GET", f"/api/v1/topics/orders/partitions/0/records?{q}")
        assert status == 400, (q, status, body)
        assert json.loads(body)["error"], body
    status, _, _ = server.request("GET", "/api/v1/topics/orders/partitions/abc/records")
    assert status == 400
    status, _, _ = server.request("GET", "/api/v1/topics/orders/partitions/99/records")
    assert status == 404
    status, _, body = server.request("GET", "/api/v1/topics/nope")
    assert status == 404 and json.loads(body)["code"] == "unknown_topic"
    status, _, body = server.request("GET", "/api/v1/groups/never-seen")
    assert status == 404, (status, body)
    status, _, body = server.request("GET", "/api/v1/nothing/here")
    assert status == 404 and json.loads(body)["code"] == "http_404", body
    assert server.request("GET", "/nope")[0] == 404


def raw(request_bytes, timeout=30):
    host, port = server.http[len("http://"):].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(request_bytes)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    return data


def malformed_and_huge_requests_are_4xx():
    assert raw(b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400"), raw(b"GARBAGE\r\n\r\n")[:80]
    huge_header = b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    answer = raw(huge_header)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
    long_uri = b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = raw(long_uri)
    assert answer.startswith(b"HTTP/1.1 414"), answer[:80]
    for path in ["/console/../../../etc/passwd", "/console/..%2f..%2fetc%2fpasswd",
                 "/console/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd"]:
        answer = raw(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 404") or answer.startswith(b"HTTP/1.1 400"), \
            (path, answer[:80])
        assert b"root:" not in answer
    big_body = b"{" + b" " * (2 << 20) + b"}"
    status, _, _ = server.request("POST", "/api/v1/topics", big_body)
    assert status == 413, status
    assert server.request("GET", "/health/live")[0] == 200


def slow_clients_do_not_affect_kafka():
    """Twelve clients that send half a request and wait hold every HTTP worker; Kafka answers
    meanwhile, and HTTP serves again once the read timeout dropped them."""
    host, port = server.http[len("http://"):].rsplit(":", 1)
    slow = []
    for _ in range(12):
        s = socket.create_connection((host, int(port)), timeout=60)
        s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)
    started = time.monotonic()
    r = subprocess.run([kcat, "-b", server.kafka, "-L", "-t", "orders", "-m", "10"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "topic \"orders\" with 3 partitions" in r.stdout, r.stdout + r.stderr
    assert time.monotonic() - started < 15
    # Each slow client is dropped after the 5 s read timeout, so the pool frees up.
    wait_for("HTTP to answer again",
             lambda: server.request("GET", "/health/live", timeout=60)[0] == 200, timeout=120)
    for s in slow:
        s.settimeout(60)
        try:
            data = s.recv(100)  # closed by the server (EOF) or answered with an error
        except ConnectionResetError:
            data = b""
        assert data == b"" or re.match(rb"HTTP/1.1 4\d\d", data), data
        s.close()


def reset_offsets_refused_while_active_then_done():
    member = server.member("readers", "orders")
    try:
        wait_for("a member in readers",
                 lambda: server.get_json("/api/v1/groups/readers")["member_count"] >= 1,
                 timeout=120)
        status, _, body = server.request("POST", "/api/v1/groups/readers/reset-offsets", {})
        assert status == 409 and json.loads(body)["code"] == "group_active", (status, body)
    finally:
        member.terminate()
        member.wait(timeout=60)
    wait_for("readers to be empty",
             lambda: server.get_json("/api/v1/groups/readers")["member_count"] == 0, timeout=120)
    status, _, body = server.request("POST", "/api/v1/groups/readers/reset-offsets", {})
    assert status == 200 and json.loads(body)["offsets_removed"] == 3, (status, body)
    g = server.get_json("/api/v1/groups/readers")
    assert all(o["committed"] == -1 for o in g["offsets"]) or g["offsets"] == [], g


def broker_and_connectors():
    b = server.get_json("/api/v1/broker")
    assert b["version"] and b["ready"] is True and b["uptime_ms"] >= 0
    assert b["kafka"]["listen"] == server.kafka
    assert b["config"]["listen"] == '"127.0.0.1:0"' or b["config"]["listen"].startswith('"127.0.0.1:')
    assert b["http_listen"] == server.http[len("http://"):], b["http_listen"]
    assert b["kafka"]["requests"] > 0 and b["kafka"]["bytes_in"] > 0 and b["kafka"]["bytes_out"] > 0
    assert server.get_json("/api/v1/connectors") == {"connectors": []}
    status, _, _ = server.request("GET", "/api/v1/connectors/none")
    assert status == 404


def delete_topic_through_api():
    status, _, body = server.request("POST", "/api/v1/topics", {"name": "scratch"})
    assert status == 201, body
    status, _, body = server.request("DELETE", "/api/v1/topics/scratch")
    assert status == 200 and json.loads(body) == {"deleted": "scratch"}
    assert server.request("GET", "/api/v1/topics/scratch")[0] == 404
    assert server.request("DELETE", "/api/v1/topics/scratch")[0] == 404


def a_second_server_cannot_take_the_address():
    """An HTTP address given explicitly that another server holds is an error: the second
    server exits 1 naming it (and never shares the port: no SO_REUSEPORT)."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="lkstream-http2-") as data:
        r = subprocess.run([binary, "serve", "--data-dir", data, "--listen", "127.0.0.1:0",
                            "--http-listen", server.http[len("http://"):]],
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "cannot start the HTTP listener on " + server.http[len("http://"):] in r.stderr, r.stderr
    assert server.request("GET", "/health/ready")[0] == 200


def console_assets_are_served():
    status, headers, body = server.request("GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"/console/app.js" in body
    status, headers, body = server.request("GET", "/console/app.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"lineChart" in body
    assert server.request("GET", "/console/missing.js")[0] == 404


try:
    for fn in [health_is_live_and_ready, create_topic_through_api, create_topic_refusals,
               produce_and_consume_show_in_api_and_metrics, metrics_pass_promtool,
               docs_list_every_metric,
               browse_records_by_offset_and_timestamp, bad_query_parameters_are_400,
               malformed_and_huge_requests_are_4xx, slow_clients_do_not_affect_kafka,
               reset_offsets_refused_while_active_then_done, broker_and_connectors,
               delete_topic_through_api, a_second_server_cannot_take_the_address,
               console_assets_are_served]:
        case(fn)
finally:
    code = server.stop()
    if code != 0:
        results.append(("server exits 0 on SIGTERM", f"exit {code}\n" + "".join(server.lines[-30:])))
        print(f"FAIL server exit {code}")
failed = [r for r in results if r[1]]
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
