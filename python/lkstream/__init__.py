"""lkstream: the LKSTREAM event log in-process, Kafka-compatible, from Python.

    import lkstream
    with lkstream.open("./data") as lk:
        lk.create_topic("ticks", partitions=4, retention="1d", fsync="interval")
        p = lk.producer(linger_ms=1)
        p.send("ticks", value=b'{"p":123}', key=b"AAPL")
        p.flush()
        c = lk.consumer(group="strategy-v1", topics=["ticks"], auto_offset_reset="earliest")
        for rec in c.poll_batch(max_records=500, timeout=1.0):
            print(rec.topic, rec.partition, rec.offset, rec.key, rec.value)
        c.commit()

The engine runs in this process (no server); its threads never run Python code: delivery
callbacks run in Producer.poll()/flush(), as with confluent-kafka. See docs/python.md.
"""

from __future__ import annotations

import atexit
import functools
import os
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence, Union

if TYPE_CHECKING:
    import asyncio

from . import _lkstream as _native
from ._errors import (
    ClosedError,
    ConfigError,
    CorruptDataError,
    DataDirLockedError,
    DeliveryError,
    GroupError,
    InvalidArgumentError,
    LkstreamError,
    MessageTooLargeError,
    NoSpaceError,
    OffsetOutOfRangeError,
    StorageError,
    TimeoutError,
    TopicExistsError,
    UnknownTopicError,
    UnsupportedError,
    InvalidRecordError,
    ProducerFencedError,
    TransactionStateError,
)
from ._lkstream import (
    ConsumerGroupMetadata,
    DeliveryReport,
    GroupInfo,
    GroupMember,
    KafkaListener,
    PartitionInfo,
    PartitionLag,
    Record,
    TableUpdate,
    TopicInfo,
)

__version__: str = _native.__version__

__all__ = [
    "open",
    "Engine",
    "Producer",
    "Consumer",
    "AsyncConsumer",
    "Table",
    "TableUpdate",
    "Record",
    "DeliveryReport",
    "TopicInfo",
    "PartitionInfo",
    "GroupInfo",
    "GroupMember",
    "PartitionLag",
    "KafkaListener",
    "LkstreamError",
    "ConfigError",
    "InvalidArgumentError",
    "UnknownTopicError",
    "TopicExistsError",
    "DataDirLockedError",
    "ClosedError",
    "TimeoutError",
    "MessageTooLargeError",
    "OffsetOutOfRangeError",
    "StorageError",
    "NoSpaceError",
    "CorruptDataError",
    "GroupError",
    "UnsupportedError",
    "InvalidRecordError",
    "ProducerFencedError",
    "TransactionStateError",
    "ConsumerGroupMetadata",
    "DeliveryError",
    "__version__",
]

Bytes = Union[bytes, bytearray, memoryview, str]
Headers = Union[Mapping[str, Union[Bytes, None]], Sequence[tuple[str, Union[Bytes, None]]]]

# Engines not closed yet: closed at interpreter exit (logs synced, lock released) before the
# interpreter tears objects down in arbitrary order.
_open_engines: "weakref.WeakSet[Engine]" = weakref.WeakSet()


@atexit.register
def _close_open_engines() -> None:
    for eng in list(_open_engines):
        try:
            eng.close()
        except LkstreamError:
            pass



def _running_loop() -> asyncio.AbstractEventLoop:
    """The running event loop. asyncio is imported here, not at module load: it is about 50 ms
    of every program's start-up (ssl, concurrent.futures, logging), and only the *_async / aio()
    calls need it; in them the loop's program has imported it already."""
    import asyncio

    return asyncio.get_running_loop()

class Engine(_native.Engine):
    """An open data directory. Use :func:`open`; a context manager that closes on exit.

    Closing closes the producers (after flushing), consumers (committing with auto-commit)
    and listeners made from it, then syncs and closes every log and releases the lock.
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None,
                 config: str | os.PathLike[str] | None = None, *,
                 worker_threads: int | None = None,
                 max_open_files: int | None = None) -> None:
        super().__init__(data_dir, config, worker_threads=worker_threads,
                         max_open_files=max_open_files)
        _open_engines.add(self)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<lkstream.Engine closed>"
        return f"<lkstream.Engine data_dir={self.data_dir!r}>"

    def producer(self, *, linger_ms: int = 5, batch_bytes: int | str | None = None,
                 buffer_bytes: int | str | None = None, max_block_ms: int = 60000,
                 auto_create_topics: bool = False, transactional_id: str | None = None,
                 transaction_timeout_ms: int = 60000) -> Producer:
        """A producer. ``linger_ms``: how long a batch waits for more records (0 = none).
        ``transactional_id``: a transactional producer (init_transactions() first), sharing
        the id with Kafka clients of the same engine."""
        return Producer(self, linger_ms=linger_ms, batch_bytes=batch_bytes,
                        buffer_bytes=buffer_bytes, max_block_ms=max_block_ms,
                        auto_create_topics=auto_create_topics,
                        transactional_id=transactional_id,
                        transaction_timeout_ms=transaction_timeout_ms)

    def consumer(self, group: str | None = None, topics: Iterable[str] | None = None, *,
                 partitions: Iterable[tuple[str, int]] | None = None,
                 auto_offset_reset: str = "latest", enable_auto_commit: bool = True,
                 auto_commit_interval_ms: int = 5000, session_timeout_ms: int = 10000,
                 heartbeat_interval_ms: int = 3000, max_poll_records: int = 500,
                 assignment_strategy: str = "range", client_id: str = "lkstream",
                 isolation_level: str = "read_uncommitted") -> Consumer:
        """A consumer: in ``group`` subscribed to ``topics`` (partitions spread over the
        group's members, Kafka clients included), or on explicit ``partitions`` without a
        group. ``isolation_level="read_committed"``: only committed transactional records,
        up to the last stable offset."""
        return Consumer(self, group, list(topics) if topics is not None else None,
                        partitions=list(partitions) if partitions is not None else None,
                        auto_offset_reset=auto_offset_reset,
                        enable_auto_commit=enable_auto_commit,
                        auto_commit_interval_ms=auto_commit_interval_ms,
                        session_timeout_ms=session_timeout_ms,
                        heartbeat_interval_ms=heartbeat_interval_ms,
                        max_poll_records=max_poll_records,
                        assignment_strategy=assignment_strategy, client_id=client_id,
                        isolation_level=isolation_level)

    def table(self, topic: str, *, max_bytes: int | str | None = None,
              snapshot_timeout: float = 120.0) -> Table:
        """``topic`` read as a table (best a compacted one): the latest value per key as of
        now (``snapshot()``), then the changes after it from ``poll()``. A tombstone (a record
        without a value) deletes its key. ``max_bytes`` bounds the memory (keys + values +
        ~96 bytes per key, default 256MiB): beyond it MessageTooLargeError. See docs/python.md.
        """
        return Table(self, topic, max_bytes=max_bytes, snapshot_timeout=snapshot_timeout)

    def listen(self, address: str = "127.0.0.1:0", advertised: str | None = None) -> KafkaListener:
        """Serves this engine to Kafka clients on ``address`` (port 0: a free port, see
        ``.port``) until the listener is stopped or the engine closes."""
        return KafkaListener(self, address, advertised)


def open(data_dir: str | os.PathLike[str] | None = None,  # noqa: A001 (lkstream.open)
         config: str | os.PathLike[str] | None = None, *,
         worker_threads: int | None = None, max_open_files: int | None = None) -> Engine:
    """Opens (creating if needed) and locks a data directory, recovering its logs.

    ``config`` is an lkstream.toml (its [[topic]] entries are created); ``data_dir``
    overrides its broker.data_dir; ``worker_threads`` and ``max_open_files`` override those
    [broker] keys (max_open_files: segment and index files open at once, 16..10000000).
    Raises DataDirLockedError when another process has the directory, ConfigError (with
    file:line:column) for a bad configuration.
    """
    return Engine(data_dir, config, worker_threads=worker_threads, max_open_files=max_open_files)


class Producer(_native.Producer):
    """Sends records; see Engine.producer(). Safe to share between threads.

    ``on_delivery(err, report)`` callbacks run in poll(), flush() and close() on the calling
    thread; ``err`` is None or the LkstreamError of a failed record. Records sent without a
    callback that fail make the next flush() raise DeliveryError.
    """

    _loop: asyncio.AbstractEventLoop | None = None

    def __enter__(self) -> Producer:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None:
                self.flush()
        finally:
            self.close()

    def __len__(self) -> int:
        return self.in_flight

    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is loop:
            return
        if self._loop is not None and not self._loop.is_closed():
            raise RuntimeError("a Producer serves the send_async() of one event loop at a time")
        loop.add_reader(self._notification_fd(), self.poll, 0.0)
        self._loop = loop

    async def send_async(self, topic: str, value: Bytes | None = None, key: Bytes | None = None,
                         *, headers: Headers | None = None, partition: int | None = None,
                         timestamp: int | None = None) -> DeliveryReport:
        """send() and wait (without blocking the event loop) until the record is as durable
        as the topic's fsync policy promises. Raises the record's error."""
        loop = _running_loop()
        self._attach(loop)
        fut: asyncio.Future[DeliveryReport] = loop.create_future()

        def done(err: LkstreamError | None, report: DeliveryReport) -> None:
            if fut.done():
                return
            if err is None:
                fut.set_result(report)
            else:
                fut.set_exception(err)

        self.send(topic, value, key, headers=headers, partition=partition, timestamp=timestamp,
                  on_delivery=done)
        return await fut

    # Transactions without blocking the event loop: the engine call runs in a worker thread;
    # delivery callbacks stay on the event loop (served by its poll(), as for send_async).

    async def _in_worker(self, fn: Callable[..., None], *args: object) -> None:
        loop = _running_loop()
        self._attach(loop)
        await loop.run_in_executor(None, functools.partial(fn, *args, serve_callbacks=False))

    async def init_transactions_async(self, timeout: float | None = 60.0) -> None:
        """init_transactions() in a worker thread."""
        await self._in_worker(self.init_transactions, timeout)

    async def send_offsets_to_transaction_async(self, offsets: Mapping[tuple[str, int], int],
                                                group_metadata: ConsumerGroupMetadata,
                                                timeout: float | None = 60.0) -> None:
        """send_offsets_to_transaction() in a worker thread."""
        await self._in_worker(self.send_offsets_to_transaction, dict(offsets), group_metadata,
                              timeout)

    async def commit_transaction_async(self, timeout: float | None = 60.0) -> None:
        """commit_transaction() in a worker thread."""
        await self._in_worker(self.commit_transaction, timeout)

    async def abort_transaction_async(self, timeout: float | None = 60.0) -> None:
        """abort_transaction() in a worker thread."""
        await self._in_worker(self.abort_transaction, timeout)


class Consumer(_native.Consumer):
    """Reads records; see Engine.consumer(). Iterating (``for rec in c``) blocks for the next
    record and ends when the consumer is closed (from any thread). Use from one thread at a
    time; close() and wakeup() may come from any thread."""

    def __iter__(self) -> Iterator[Record]:
        return self

    def __enter__(self) -> Consumer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def aio(self) -> AsyncConsumer:
        """The asyncio view: ``async for rec in c.aio()``, ``await ....poll_batch()``."""
        return AsyncConsumer(self)


class Table(_native.Table):
    """The latest value per key of a topic; see Engine.table(). ``snapshot()`` is a dict
    {key: value} of the table now; ``poll(timeout)`` applies and returns the updates that came
    after (TableUpdate: key, value or None when deleted, partition, offset, timestamp).
    Iterating yields updates until the table is closed. Use from one thread at a time;
    close() from any. After close (or the engine's) the last state stays readable."""

    def __iter__(self) -> Iterator[TableUpdate]:
        while not self.closed:
            try:
                updates = self.poll(timeout=0.5)
            except ClosedError:
                return
            yield from updates

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<lkstream.Table {self.topic!r} keys={len(self)}{' closed' if self.closed else ''}>"


class AsyncConsumer:
    """asyncio access to a Consumer. Waiting happens in a worker thread (the event loop never
    blocks), records are handed over on the event loop's thread, so a cancelled wait loses
    none. Iteration ends when the consumer is closed."""

    def __init__(self, consumer: Consumer) -> None:
        self._consumer = consumer

    @property
    def consumer(self) -> Consumer:
        return self._consumer

    def __aiter__(self) -> AsyncConsumer:
        return self

    async def __anext__(self) -> Record:
        while True:
            try:
                batch = self._consumer.poll_batch(1, timeout=0)
            except ClosedError:
                raise StopAsyncIteration from None
            if batch:
                return batch[0]
            try:
                await self._wait(1.0)
            except ClosedError:
                raise StopAsyncIteration from None

    async def _wait(self, timeout: float | None) -> bool:
        loop = _running_loop()
        return await loop.run_in_executor(None, self._consumer._wait_ready, timeout)

    async def poll_batch(self, max_records: int | None = None,
                         timeout: float | None = 1.0) -> list[Record]:
        """Like Consumer.poll_batch(), without blocking the event loop."""
        batch = self._consumer.poll_batch(max_records, timeout=0)
        if batch or timeout == 0:
            return batch
        await self._wait(timeout)
        return self._consumer.poll_batch(max_records, timeout=0)

    async def commit(self, offsets: Mapping[tuple[str, int], int] | None = None) -> None:
        """Consumer.commit() in a worker thread."""
        loop = _running_loop()
        await loop.run_in_executor(None, self._consumer.commit, offsets)


def _run_cli(argv: list[str]) -> int:
    return _native._run_cli(argv)
