"""Exactly-once consume-transform-produce with the embedded engine (docs/python.md).

Reads orders, writes one fill per order, and commits the consumed offsets in the same
transaction as the fills: after a crash at any point the fills a read_committed reader sees
correspond to each order exactly once.

    python consume_transform_produce.py DATA_DIR [ORDERS] [--asyncio]

Creates the topics, produces ORDERS orders (default 1000), runs the loop until every order is
processed (aborting the first transaction on purpose, to show that its fills disappear), then
checks the fills with a read_committed consumer. Exits 1 if any order has no fill or two.
"""

from __future__ import annotations

import asyncio
import sys

import lkstream

GROUP = "fill-engine"


def transform(order: bytes) -> bytes:
    return b"fill:" + order


def send_fills(producer: lkstream.Producer,
               batch: list[lkstream.Record]) -> dict[tuple[str, int], int]:
    """Sends one fill per order of `batch` (in the open transaction); returns the offsets to
    commit with it: the next offset to read of each partition."""
    offsets = {}
    for rec in batch:
        producer.send("fills", value=transform(rec.value), key=rec.key)
        offsets[(rec.topic, rec.partition)] = rec.offset + 1
    return offsets


def setup(lk: lkstream.Engine, orders: int) -> None:
    for topic in ("orders", "fills"):
        try:
            lk.create_topic(topic, partitions=2)
        except lkstream.TopicExistsError:
            pass
    with lk.producer(linger_ms=1) as p:
        for i in range(orders):
            p.send("orders", value=b"order-%d" % i, key=b"%d" % (i % 7))


def run_sync(lk: lkstream.Engine, orders: int) -> None:
    consumer = lk.consumer(group=GROUP, topics=["orders"], auto_offset_reset="earliest",
                           enable_auto_commit=False, isolation_level="read_committed")
    producer = lk.producer(linger_ms=0, transactional_id="fill-engine-1")
    producer.init_transactions()
    done = 0
    first = True
    while done < orders:
        batch = consumer.poll_batch(max_records=100, timeout=0.5)
        if not batch:
            continue
        producer.begin_transaction()
        offsets = send_fills(producer, batch)
        producer.send_offsets_to_transaction(offsets, consumer.group_metadata())
        if first:  # an abort: its fills are never seen, its orders are read again
            producer.abort_transaction()
            for (topic, partition), _ in offsets.items():
                committed = consumer.committed(topic, partition)
                consumer.seek(topic, partition, committed if committed is not None else 0)
            first = False
            continue
        producer.commit_transaction()
        done += len(batch)
    producer.close()
    consumer.close()


async def run_async(lk: lkstream.Engine, producer: lkstream.Producer, orders: int) -> None:
    consumer = lk.consumer(group=GROUP, topics=["orders"], auto_offset_reset="earliest",
                           enable_auto_commit=False, isolation_level="read_committed")
    await producer.init_transactions_async()
    done = 0
    aio = consumer.aio()
    while done < orders:
        batch = await aio.poll_batch(max_records=100, timeout=0.5)
        if not batch:
            continue
        producer.begin_transaction()
        offsets = send_fills(producer, batch)
        await producer.send_offsets_to_transaction_async(offsets, consumer.group_metadata())
        await producer.commit_transaction_async()
        done += len(batch)
    consumer.close()


def check(lk: lkstream.Engine, orders: int) -> int:
    reader = lk.consumer(partitions=[("fills", 0), ("fills", 1)], auto_offset_reset="earliest",
                         enable_auto_commit=False, isolation_level="read_committed")
    seen: dict[bytes, int] = {}
    idle = 0
    while idle < 4:
        batch = reader.poll_batch(max_records=1000, timeout=0.25)
        idle = 0 if batch else idle + 1
        for rec in batch:
            seen[rec.value] = seen.get(rec.value, 0) + 1
    reader.close()
    expected = {transform(b"order-%d" % i) for i in range(orders)}
    missing = expected - seen.keys()
    twice = [v for v, n in seen.items() if n > 1]
    extra = seen.keys() - expected
    print(f"fills: {len(seen)} distinct, {len(missing)} missing, {len(twice)} twice, "
          f"{len(extra)} unexpected")
    return 0 if not missing and not twice and not extra else 1


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    orders = int(args[1]) if len(args) > 1 else 1000
    with lkstream.open(args[0]) as lk:
        setup(lk, orders)
        if "--asyncio" in argv:
            producer = lk.producer(linger_ms=0, transactional_id="fill-engine-1")
            asyncio.run(run_async(lk, producer, orders))
            producer.close()  # after the loop, which served its callbacks
        else:
            run_sync(lk, orders)
        return check(lk, orders)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
