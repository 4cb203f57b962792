"""The canonical text form of records shared by every client program of the cross-client test.

One record per line, space separated:

    SPEC line (input of "produce"):  TIMESTAMP KEY VALUE HEADERS
    DUMP line (output of "dump"):    OFFSET TIMESTAMP KEY VALUE HEADERS

KEY and VALUE are "-" for null, otherwise "x" followed by lowercase hex ("x" alone = empty).
HEADERS is "h" followed by a comma-separated list of KEY:VALUE in the same byte encoding, in
wire order ("h" alone = no headers). Every client program (Python, Java, kafkajs, franz-go)
implements exactly this encoding, so dumps compare as text.
"""


def enc(b):
    return "-" if b is None else "x" + bytes(b).hex()


def dec(s):
    if s == "-":
        return None
    assert s.startswith("x"), s
    return bytes.fromhex(s[1:])


def enc_headers(headers):
    return "h" + ",".join(enc(k.encode() if isinstance(k, str) else k) + ":" + enc(v)
                          for k, v in (headers or []))


def dec_headers(s):
    assert s.startswith("h"), s
    if s == "h":
        return []
    out = []
    for item in s[1:].split(","):
        k, v = item.split(":")
        out.append((dec(k).decode(), dec(v)))
    return out


def parse_spec(path):
    """[(timestamp, key, value, headers)] from a spec file."""
    records = []
    with open(path) as f:
        for line in f:
            ts, key, value, headers = line.split()
            records.append((int(ts), dec(key), dec(value), dec_headers(headers)))
    return records


def dump_line(offset, timestamp, key, value, headers):
    return "%d %d %s %s %s" % (offset, timestamp, enc(key), enc(value), enc_headers(headers))


def make_spec(n=40):
    """The fixed record set: null/empty/binary keys and values, no/duplicate/empty headers,
    explicit CreateTime timestamps. Returns spec lines."""
    lines = []
    for i in range(n):
        ts = 1700000000000 + i * 1000 + 7
        if i % 10 == 9:
            key = None
        elif i % 10 == 4:
            key = b""
        else:
            key = b"key-%d-" % i + bytes([0, 255, i])
        if i % 13 == 12:
            value = None
        elif i % 7 == 3:
            value = b""
        else:
            value = ("value %d \u00e9" % i).encode() + bytes((i * 31 + j) % 256 for j in range(i * 3))
        if i % 5 == 0:
            headers = []
        else:
            # Duplicate keys stay adjacent: kafkajs groups equal header keys into one array.
            headers = [("trace", b"\x00\xff" + bytes([i])), ("trace", b"second"), ("h-empty", b"")]
        lines.append("%d %s %s %s" % (ts, enc(key), enc(value), enc_headers(headers)))
    return lines
