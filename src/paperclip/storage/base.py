"""What every storage provider offers, and the small value types they exchange.

Providers are synchronous (boto3 is; a local file write lands in the page cache): the server calls
them from a thread (`paperclip.storage.streams`), the CLI (backups) directly. A write is an
`ObjectWriter`: bytes go out as they arrive and nothing is visible under the key until `commit()`;
`abort()` leaves nothing behind, so a failed upload never leaves an object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from paperclip.errors import NotFound

READ_CHUNK = 256 * 1024


class ObjectNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Object not found")


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    last_modified: datetime | None = None


class ObjectWriter(Protocol):
    def write(self, data: bytes) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class StorageProvider(Protocol):
    id: str  # "local_disk" | "s3": what assets.provider records

    def describe(self) -> str: ...

    def open_writer(self, key: str, content_type: str) -> ObjectWriter: ...

    def read(self, key: str, start: int | None = None, end: int | None = None) -> Iterator[bytes]:
        """The object's bytes (or the inclusive range start..end) in chunks; ObjectNotFound if absent."""
        ...

    def stat(self, key: str) -> ObjectInfo | None: ...

    def delete(self, key: str) -> None:
        """Idempotent: deleting a missing object is fine."""
        ...

    def delete_prefix(self, prefix: str) -> int: ...

    def list(self, prefix: str) -> list[ObjectInfo]: ...


def put_bytes(provider: StorageProvider, key: str, data: bytes, content_type: str) -> None:
    writer = provider.open_writer(key, content_type)
    try:
        writer.write(data)
        writer.commit()
    except BaseException:
        writer.abort()
        raise


def read_all(provider: StorageProvider, key: str) -> bytes:
    return b"".join(provider.read(key))
