"""Exceptions raised by lkstream, one class per engine error code.

Every exception is a :class:`LkstreamError` carrying ``code`` (the engine's short error name,
e.g. ``"unknown_topic"``) and a message that names what failed. Where a built-in exception
means the same thing, the class derives from it too, so ``except ValueError`` and
``except TimeoutError`` work as expected.
"""

from __future__ import annotations

import builtins

__all__ = [
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
    "DeliveryError",
]


class LkstreamError(Exception):
    """Base class of every lkstream error. ``code`` is the engine's error name."""

    code: str = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ConfigError(LkstreamError, ValueError):
    """The configuration file or a setting is invalid (the message names file:line:column)."""

    code = "config_error"


class InvalidArgumentError(LkstreamError, ValueError):
    """A value the engine does not accept (bad topic name, partition out of range, ...)."""

    code = "invalid_argument"


class UnknownTopicError(LkstreamError, LookupError):
    """The topic (or the partition of it) does not exist."""

    code = "unknown_topic"


class TopicExistsError(LkstreamError):
    """create_topic() for a name that is taken."""

    code = "topic_exists"


class DataDirLockedError(LkstreamError):
    """Another process (or engine) holds the data directory; the message names its pid."""

    code = "data_dir_locked"


class ClosedError(LkstreamError):
    """The engine, producer or consumer was closed."""

    code = "closed"


class TimeoutError(LkstreamError, builtins.TimeoutError):  # noqa: A001 (shadows on purpose)
    """An operation did not finish in time (e.g. send() blocked on a full buffer)."""

    code = "timeout"


class MessageTooLargeError(LkstreamError, ValueError):
    """A record larger than the topic's max_message_bytes."""

    code = "message_too_large"


class OffsetOutOfRangeError(LkstreamError):
    """An offset outside the log, or no committed offset with auto_offset_reset="none"."""

    code = "offset_out_of_range"


class StorageError(LkstreamError, OSError):
    """An I/O failure of the data directory (the message names the file and the OS reason)."""

    code = "io_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        LkstreamError.__init__(self, message, code)

    def __str__(self) -> str:
        return self.message


class NoSpaceError(StorageError):
    """The disk is full: the append was refused and the log is unchanged."""

    code = "no_space"


class CorruptDataError(StorageError):
    """A record batch failed validation (structure or CRC)."""

    code = "corrupt_batch"


class GroupError(LkstreamError):
    """A consumer-group operation failed (rebalance in progress, stale generation, ...)."""

    code = "rebalance_in_progress"


class UnsupportedError(LkstreamError):
    """A feature this engine does not support (e.g. a compression codec)."""

    code = "unsupported"


class InvalidRecordError(LkstreamError, ValueError):
    """A record the topic refuses: a record without a key sent to a compacted topic."""

    code = "invalid_record"


class ProducerFencedError(LkstreamError):
    """A transactional producer was fenced: another producer (embedded or a Kafka client)
    initialised the same transactional id, or the coordinator aborted the transaction after
    its timeout. Fatal for this producer: close it and make a new one."""

    code = "producer_fenced"


class TransactionStateError(LkstreamError):
    """A transactional call out of order (send() outside a transaction, commit without
    begin, ...). Nothing changed."""

    code = "invalid_txn_state"


class DeliveryError(LkstreamError):
    """Records sent without an ``on_delivery`` callback failed; raised by flush().

    ``failed`` is how many; the message quotes the first failure.
    """

    code = "delivery_failed"

    def __init__(self, message: str, code: str | None = None, failed: int = 0) -> None:
        super().__init__(message, code)
        self.failed = failed


_BY_CODE: dict[str, type[LkstreamError]] = {
    "config_error": ConfigError,
    "invalid_argument": InvalidArgumentError,
    "unknown_topic": UnknownTopicError,
    "topic_exists": TopicExistsError,
    "data_dir_locked": DataDirLockedError,
    "closed": ClosedError,
    "timeout": TimeoutError,
    "message_too_large": MessageTooLargeError,
    "offset_out_of_range": OffsetOutOfRangeError,
    "io_error": StorageError,
    "not_found": StorageError,
    "no_space": NoSpaceError,
    "corrupt_batch": CorruptDataError,
    "crc_mismatch": CorruptDataError,
    "unknown_member": GroupError,
    "illegal_generation": GroupError,
    "rebalance_in_progress": GroupError,
    "duplicate_sequence": LkstreamError,
    "out_of_order_sequence": LkstreamError,
    "unsupported": UnsupportedError,
    "invalid_record": InvalidRecordError,
    "producer_fenced": ProducerFencedError,
    "invalid_producer_epoch": ProducerFencedError,
    "invalid_txn_state": TransactionStateError,
}


def _make(code: str, message: str) -> LkstreamError:
    """The exception for an engine error code (used by the extension module)."""
    return _BY_CODE.get(code, LkstreamError)(message, code)


def _delivery_error(failed: int, first: str) -> DeliveryError:
    noun = "record" if failed == 1 else "records"
    return DeliveryError(f"{failed} {noun} sent without on_delivery failed; first: {first}",
                         "delivery_failed", failed)
