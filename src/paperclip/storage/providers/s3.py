"""`s3`: objects in an S3 (or S3-compatible: MinIO, R2, moto) bucket under an optional prefix.

Credentials come only from the AWS default chain (environment, shared profile, container/instance
role); nothing is stored by us. A write streams: bytes are buffered up to one part (8 MiB), then
sent as parts of a multipart upload; an object smaller than a part is one PUT. Nothing exists under
the key until `commit()`, and `abort()` cancels the multipart upload.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from paperclip.errors import AppError, Unprocessable
from paperclip.storage.base import READ_CHUNK, ObjectInfo, ObjectNotFound
from paperclip.storage.keys import normalize_key

PART_SIZE = 8 * 1024 * 1024
_MISSING = {"NoSuchKey", "NotFound", "404"}


class StorageUnavailable(AppError):
    status_code = 503


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class S3Writer:
    def __init__(self, provider: S3Provider, key: str, content_type: str):
        self.p = provider
        self.key = key
        self.content_type = content_type
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= PART_SIZE:
            with memoryview(self.buffer) as view:
                part = bytes(view[:PART_SIZE])  # one copy of the part, not two
            del self.buffer[:PART_SIZE]
            self._upload_part(part)

    def _upload_part(self, data: bytes) -> None:
        with self.p.errors():
            if self.upload_id is None:
                self.upload_id = self.p.client.create_multipart_upload(
                    Bucket=self.p.bucket, Key=self.key, ContentType=self.content_type
                )["UploadId"]
            number = len(self.parts) + 1
            answer = self.p.client.upload_part(
                Bucket=self.p.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=data
            )
            self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def commit(self) -> None:
        with self.p.errors():
            if self.upload_id is None:
                self.p.client.put_object(
                    Bucket=self.p.bucket, Key=self.key, Body=bytes(self.buffer), ContentType=self.content_type
                )
            else:
                if self.buffer or not self.parts:
                    self._upload_part(bytes(self.buffer))
                self.p.client.complete_multipart_upload(
                    Bucket=self.p.bucket,
                    Key=self.key,
                    UploadId=self.upload_id,
                    MultipartUpload={"Parts": self.parts},
                )
        self.buffer = bytearray()

    def abort(self) -> None:
        self.buffer = bytearray()
        if self.upload_id is not None:
            upload_id, self.upload_id = self.upload_id, None
            try:
                self.p.client.abort_multipart_upload(Bucket=self.p.bucket, Key=self.key, UploadId=upload_id)
            except Exception:  # best effort; a bucket lifecycle rule cleans up abandoned parts
                pass


class S3Provider:
    id = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        region: str,
        endpoint: str | None = None,
        prefix: str = "",
        force_path_style: bool = False,
        client: Any = None,
    ):
        if not (bucket or "").strip():
            raise Unprocessable("S3 storage bucket is required")
        if not (region or "").strip():
            raise Unprocessable("S3 storage region is required")
        self.bucket = bucket.strip()
        self.region = region.strip()
        self.endpoint = endpoint or None
        self.prefix = (prefix or "").strip().strip("/")
        self.force_path_style = force_path_style
        self.client = client or self._make_client()

    def _make_client(self) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(
            s3={"addressing_style": "path" if self.force_path_style else "virtual"},
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
        )
        # A fresh session: the default credential chain, never credentials of ours.
        return boto3.session.Session().client(
            "s3", region_name=self.region, endpoint_url=self.endpoint, config=config
        )

    def describe(self) -> str:
        where = f" at {self.endpoint}" if self.endpoint else ""
        return f"s3://{self.bucket}/{self.prefix + '/' if self.prefix else ''} ({self.region}{where})"

    def full_key(self, key: str) -> str:
        key = normalize_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _strip(self, full: str) -> str:
        return full[len(self.prefix) + 1 :] if self.prefix else full

    def errors(self):
        return _S3Errors(self)

    def open_writer(self, key: str, content_type: str) -> S3Writer:
        return S3Writer(self, self.full_key(key), content_type)

    def read(self, key: str, start: int | None = None, end: int | None = None) -> Iterator[bytes]:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.full_key(key)}
        if start is not None or end is not None:
            args["Range"] = f"bytes={start or 0}-{'' if end is None else end}"
        with self.errors():
            body = self.client.get_object(**args)["Body"]
        return self._chunks(body)

    def _chunks(self, body) -> Iterator[bytes]:
        try:
            with self.errors():
                yield from body.iter_chunks(READ_CHUNK)
        finally:
            body.close()

    def stat(self, key: str) -> ObjectInfo | None:
        try:
            with self.errors():
                head = self.client.head_object(Bucket=self.bucket, Key=self.full_key(key))
        except ObjectNotFound:
            return None
        return ObjectInfo(key, int(head["ContentLength"]), head.get("LastModified"))

    def delete(self, key: str) -> None:
        with self.errors():
            self.client.delete_object(Bucket=self.bucket, Key=self.full_key(key))

    def list(self, prefix: str) -> list[ObjectInfo]:
        full = f"{self.prefix}/{prefix}" if self.prefix else prefix
        found: list[ObjectInfo] = []
        with self.errors():
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=full
            ):
                for item in page.get("Contents", []):
                    found.append(
                        ObjectInfo(self._strip(item["Key"]), int(item["Size"]), item.get("LastModified"))
                    )
        return found

    def delete_prefix(self, prefix: str) -> int:
        keys = [self.full_key(o.key) for o in self.list(prefix)]
        with self.errors():
            for start in range(0, len(keys), 1000):
                batch = keys[start : start + 1000]
                self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
                )
        return len(keys)


class _S3Errors:
    """Turns boto errors into ours: a missing object is 404, an unreachable or refusing bucket 503
    naming the setting to check (never a 500 with a stack trace for the caller)."""

    def __init__(self, provider: S3Provider):
        self.p = provider

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, AppError):
            return False
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        if isinstance(exc, ClientError):
            code = _error_code(exc)
            if code in _MISSING:
                raise ObjectNotFound() from None
            if code == "NoSuchBucket":
                raise StorageUnavailable(
                    f"S3 bucket {self.p.bucket!r} does not exist (PAPERCLIP_STORAGE_S3_BUCKET)"
                ) from None
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
                raise StorageUnavailable(
                    f"S3 refused access to bucket {self.p.bucket!r} ({code}): check the AWS "
                    "credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, or the IAM role)"
                ) from None
            raise StorageUnavailable(f"S3 storage error ({code or 'unknown'})") from None
        if isinstance(exc, NoCredentialsError):
            raise StorageUnavailable(
                "No AWS credentials found for S3 storage (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                "AWS_PROFILE or an IAM role)"
            ) from None
        if isinstance(exc, BotoCoreError):
            target = self.p.endpoint or f"the AWS endpoint for {self.p.region}"
            raise StorageUnavailable(
                f"S3 storage is unreachable at {target} (PAPERCLIP_STORAGE_S3_ENDPOINT / "
                f"PAPERCLIP_STORAGE_S3_REGION): {type(exc).__name__}"
            ) from None
        return False
