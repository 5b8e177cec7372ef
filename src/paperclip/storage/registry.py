"""The storage provider named by the settings (`PAPERCLIP_STORAGE_PROVIDER`), built once per settings."""

from __future__ import annotations

from collections.abc import Callable

from paperclip.config.settings import StorageSettings
from paperclip.storage.base import StorageProvider
from paperclip.storage.providers.local_disk import LocalDiskProvider
from paperclip.storage.providers.s3 import S3Provider


def _local_disk(s: StorageSettings) -> StorageProvider:
    return LocalDiskProvider(s.local_dir)


def _s3(s: StorageSettings) -> StorageProvider:
    return S3Provider(
        bucket=s.s3_bucket,
        region=s.s3_region,
        endpoint=s.s3_endpoint,
        prefix=s.s3_prefix,
        force_path_style=s.s3_force_path_style,
    )


PROVIDERS: dict[str, Callable[[StorageSettings], StorageProvider]] = {"local_disk": _local_disk, "s3": _s3}
_cache: dict[StorageSettings, StorageProvider] = {}


def build_provider(storage: StorageSettings) -> StorageProvider:
    factory = PROVIDERS.get(storage.provider)
    if factory is None:
        raise ValueError(
            f"Unknown storage provider {storage.provider!r} (PAPERCLIP_STORAGE_PROVIDER): "
            f"use one of {', '.join(PROVIDERS)}"
        )
    return factory(storage)


def provider_by_id(storage: StorageSettings, provider_id: str) -> StorageProvider | None:
    """The provider that holds objects recorded under `provider_id` (an instance may have switched
    providers since): the configured one, or the local disk, which needs no settings."""
    if provider_id == storage.provider:
        return provider_for(storage)
    if provider_id == "local_disk":
        return LocalDiskProvider(storage.local_dir)
    return None


def provider_for(storage: StorageSettings) -> StorageProvider:
    """The shared provider of these settings (its boto3 client is thread-safe and pools connections)."""
    provider = _cache.get(storage)
    if provider is None:
        provider = _cache[storage] = build_provider(storage)
    return provider
