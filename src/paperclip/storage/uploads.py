"""Receiving one uploaded file: multipart parsed as it arrives, bytes streamed to the provider.

The request body is never held whole: each chunk is parsed, hashed and handed to the provider's
writer (a temp file on disk, or S3 multipart parts), at most ~1 MiB waiting at a time. The size
limit is counted on the file's bytes as they arrive, so a chunked body without Content-Length is
stopped at the limit too (413). The type is checked from the part's headers before any byte is
stored. Any failure aborts the writer: nothing is left under the key. SVG is the one exception to
streaming: it is sanitised whole (bounded by the same limit) and then stored.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from paperclip.errors import AppError, BadRequest, Unprocessable
from paperclip.storage.base import ObjectWriter, StorageProvider
from paperclip.storage.svg import sanitize_svg
from paperclip.storage.types import SVG, format_size, normalize_type

FLUSH_BYTES = 1024 * 1024
FIELD_MAX = 8 * 1024
FIELDS_MAX = 32


class PayloadTooLarge(AppError):
    status_code = 413


@dataclass(frozen=True)
class UploadRules:
    max_bytes: int
    noun: str  # "File" | "Image" | "Attachment": the original's messages name what was uploaded
    empty_noun: str
    check_type: Callable[[str], None]  # raises Unprocessable for a type that is not accepted
    object_key: Callable[[dict[str, str], str | None], str]  # (fields so far, filename) -> key; may raise 400


@dataclass
class StoredUpload:
    provider: str
    object_key: str
    content_type: str
    byte_size: int
    sha256: str
    original_filename: str | None
    fields: dict[str, str] = field(default_factory=dict)


class _Part:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.name: str | None = None
        self.filename: str | None = None
        self.is_file = False
        self.value = bytearray()


async def receive_upload(request: Request, provider: StorageProvider, rules: UploadRules) -> StoredUpload:
    ctype, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise BadRequest("Missing file field 'file'")
    receiver = _Receiver(provider, rules)
    try:
        parser = MultipartParser(boundary, receiver.callbacks())
        async for chunk in request.stream():
            parser.write(chunk)
            await receiver.process()
        parser.finalize()
        await receiver.process()
        return await receiver.finish()
    except ClientDisconnect:
        await receiver.abort()
        raise BadRequest("Upload was interrupted") from None
    except AppError:
        await receiver.abort()
        raise
    except Exception as exc:
        await receiver.abort()
        if type(exc).__module__.startswith("python_multipart"):
            raise BadRequest("Malformed multipart body") from None
        raise


class _Receiver:
    def __init__(self, provider: StorageProvider, rules: UploadRules):
        self.provider = provider
        self.rules = rules
        self.events: list[tuple] = []
        self.fields: dict[str, str] = {}
        self.part: _Part | None = None
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.file: _Part | None = None
        self.writer: ObjectWriter | None = None
        self.key: str | None = None
        self.content_type = ""
        self.size = 0
        self.digest = hashlib.sha256()
        self.pending = bytearray()
        self.svg: bytearray | None = None
        self.committed = False

    # Parser callbacks run inside parser.write(): they only record; process() acts on the records.
    def callbacks(self) -> dict:
        def data(kind):
            return lambda buf, start, end: self.events.append((kind, bytes(buf[start:end])))

        return {
            "on_part_begin": lambda: self.events.append(("begin",)),
            "on_header_field": data("hname"),
            "on_header_value": data("hvalue"),
            "on_header_end": lambda: self.events.append(("hend",)),
            "on_headers_finished": lambda: self.events.append(("headers",)),
            "on_part_data": data("data"),
            "on_part_end": lambda: self.events.append(("end",)),
        }

    async def process(self) -> None:
        events, self.events = self.events, []
        for event in events:
            kind = event[0]
            if kind == "begin":
                self.part = _Part()
            elif kind == "hname":
                self.header_name += event[1]
            elif kind == "hvalue":
                self.header_value += event[1]
            elif kind == "hend":
                assert self.part is not None
                self.part.headers[self.header_name.decode("latin-1").lower()] = self.header_value.decode(
                    "utf-8", "replace"
                )
                self.header_name, self.header_value = bytearray(), bytearray()
            elif kind == "headers":
                await self._start_part()
            elif kind == "data":
                await self._data(event[1])
            elif kind == "end":
                await self._end_part()
        if len(self.pending) >= FLUSH_BYTES:
            await self._flush()

    async def _start_part(self) -> None:
        part = self.part
        assert part is not None
        _, options = parse_options_header(part.headers.get("content-disposition", ""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            part.is_file = True
            part.filename = (
                options[b"filename"].decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1] or None
            )
        if not part.is_file:
            if len(self.fields) >= FIELDS_MAX:
                raise BadRequest("Too many fields")
            return
        if part.name != "file":
            raise BadRequest("Unexpected file field")
        if self.file is not None:
            raise BadRequest("Too many files")
        self.file = part
        self.content_type = normalize_type(part.headers.get("content-type"), part.filename)
        self.rules.check_type(self.content_type)
        self.key = self.rules.object_key(dict(self.fields), part.filename)
        if self.content_type == SVG:
            self.svg = bytearray()
        else:
            self.writer = await asyncio.to_thread(self.provider.open_writer, self.key, self.content_type)

    async def _data(self, data: bytes) -> None:
        part = self.part
        if part is None:
            return
        if not part.is_file:
            part.value += data
            if len(part.value) > FIELD_MAX:
                raise BadRequest(f"Field {part.name!r} is too long")
            return
        self.size += len(data)
        if self.size > self.rules.max_bytes:
            raise PayloadTooLarge(
                f"{self.rules.noun} is larger than the {format_size(self.rules.max_bytes)} limit"
            )
        if self.svg is not None:
            self.svg += data
        else:
            self.digest.update(data)
            self.pending += data

    async def _end_part(self) -> None:
        part, self.part = self.part, None
        if part is not None and not part.is_file and part.name:
            self.fields[part.name] = part.value.decode("utf-8", "replace")

    async def _flush(self) -> None:
        if self.pending and self.writer is not None:
            chunk, self.pending = bytes(self.pending), bytearray()
            await asyncio.to_thread(self.writer.write, chunk)

    async def finish(self) -> StoredUpload:
        if self.file is None or self.key is None:
            raise BadRequest("Missing file field 'file'")
        if self.size == 0:
            raise Unprocessable(f"{self.rules.empty_noun} is empty")
        if self.svg is not None:
            clean = sanitize_svg(bytes(self.svg))
            self.digest.update(clean)
            self.size = len(clean)
            self.writer = await asyncio.to_thread(self.provider.open_writer, self.key, self.content_type)
            self.pending = bytearray(clean)
        await self._flush()
        assert self.writer is not None
        await asyncio.to_thread(self.writer.commit)
        self.committed = True
        return StoredUpload(
            self.provider.id,
            self.key,
            self.content_type,
            self.size,
            self.digest.hexdigest(),
            self.file.filename,
            self.fields,
        )

    async def abort(self) -> None:
        if self.writer is not None and not self.committed:
            writer, self.writer = self.writer, None
            await asyncio.to_thread(writer.abort)
