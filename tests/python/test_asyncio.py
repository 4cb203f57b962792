"""asyncio: send_async, async iteration, async poll_batch/commit, cancellation loses nothing."""

from __future__ import annotations

import asyncio

import lkstream


def test_python_send_async_resolves_on_the_loop_with_the_offset(lk: lkstream.Engine) -> None:
    lk.create_topic("aio", 2, fsync="always")
    p = lk.producer(linger_ms=1)

    async def main() -> list[lkstream.DeliveryReport]:
        first = await p.send_async("aio", b"one", key=b"k")
        rest = await asyncio.gather(*(p.send_async("aio", b"%d" % i, key=b"k")
                                      for i in range(200)))
        return [first, *rest]

    reports = asyncio.run(main())
    assert [r.offset for r in reports] == list(range(201))  # one key: one partition, in order
    assert len({r.partition for r in reports}) == 1
    p.close()


def test_python_send_async_raises_the_records_error(lk: lkstream.Engine) -> None:
    p = lk.producer()

    async def main() -> None:
        await p.send_async("no-such-topic", b"x")

    try:
        asyncio.run(main())
    except lkstream.UnknownTopicError as e:
        assert "no-such-topic" in str(e)
    else:
        raise AssertionError("expected UnknownTopicError")
    p.close()


def test_python_async_for_and_async_commit(lk: lkstream.Engine) -> None:
    lk.create_topic("aio-c", 1)
    c = lk.consumer(group="aio-g", topics=["aio-c"], auto_offset_reset="earliest",
                    enable_auto_commit=False)
    p = lk.producer(linger_ms=0)

    async def main() -> list[bytes]:
        async def produce_later() -> None:
            await asyncio.sleep(0.2)  # the consumer is waiting by now
            for i in range(50):
                await p.send_async("aio-c", b"%d" % i)

        task = asyncio.create_task(produce_later())
        out = []
        ticks = 0

        async def ticker() -> None:  # the loop keeps running while the consumer waits
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick_task = asyncio.create_task(ticker())
        aio = c.aio()
        async for rec in aio:
            out.append(rec.value)
            if len(out) == 50:
                break
        await task
        await aio.commit()
        tick_task.cancel()
        assert ticks > 5
        assert await aio.poll_batch(timeout=0.1) == []
        return out

    got = asyncio.run(asyncio.wait_for(main(), 120))
    assert got == [b"%d" % i for i in range(50)]
    assert c.committed("aio-c", 0) == 50
    c.close()
    p.close()


def test_python_cancelled_async_wait_loses_no_record(lk: lkstream.Engine) -> None:
    lk.create_topic("aio-x", 1)
    c = lk.consumer(partitions=[("aio-x", 0)], auto_offset_reset="earliest")
    p = lk.producer(linger_ms=0)

    async def main() -> bytes | None:
        aio = c.aio()
        waiting = asyncio.create_task(aio.__anext__())
        await asyncio.sleep(0.1)
        waiting.cancel()  # while its worker thread is still waiting
        p.send("aio-x", b"first")
        p.flush()
        try:
            await waiting
        except asyncio.CancelledError:
            pass
        rec = await asyncio.wait_for(aio.__anext__(), 60)
        return rec.value

    assert asyncio.run(main()) == b"first"
    c.close()
    p.close()


def test_python_async_iteration_ends_when_the_consumer_is_closed(lk: lkstream.Engine) -> None:
    lk.create_topic("aio-end", 1)
    c = lk.consumer(partitions=[("aio-end", 0)], auto_offset_reset="earliest")

    async def main() -> list[lkstream.Record]:
        loop = asyncio.get_running_loop()
        loop.call_later(0.3, c.close)
        return [rec async for rec in c.aio()]

    assert asyncio.run(asyncio.wait_for(main(), 60)) == []
    assert c.closed
