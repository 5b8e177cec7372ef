"""Both providers through the same protocol: atomic writes, ranges, idempotent deletes, key checks."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import pytest

from paperclip.errors import BadRequest, Forbidden, NotFound, Unprocessable
from paperclip.storage.base import ObjectNotFound, put_bytes, read_all
from paperclip.storage.keys import assert_company_key, build_key, normalize_key, split_filename
from paperclip.storage.providers.local_disk import TEMP_PREFIX, LocalDiskProvider
from paperclip.storage.providers.s3 import PART_SIZE, S3Provider, StorageUnavailable
from tests.storage.conftest import VIRTUAL_ENDPOINT


@pytest.fixture(params=["local_disk", "s3_path_style", "s3_virtual_host"])
def provider(request, tmp_path):
    if request.param == "local_disk":
        return LocalDiskProvider(tmp_path / "storage")
    moto = request.getfixturevalue("moto_server")
    bucket = moto.new_bucket()
    if request.param == "s3_path_style":
        return S3Provider(
            bucket=bucket, region="us-east-1", endpoint=moto.endpoint, force_path_style=True, prefix="/pc/"
        )
    return S3Provider(bucket=bucket, region="us-east-1", endpoint=VIRTUAL_ENDPOINT, force_path_style=False)


def test_write_read_range_stat_delete(provider):
    key = f"{uuid.uuid4()}/assets/general/2026/01/02/x-a.txt"
    put_bytes(provider, key, b"0123456789", "text/plain")
    assert read_all(provider, key) == b"0123456789"
    assert b"".join(provider.read(key, 2, 5)) == b"2345"
    assert b"".join(provider.read(key, 7)) == b"789"
    assert provider.stat(key).size == 10
    provider.delete(key)
    provider.delete(key)  # idempotent
    assert provider.stat(key) is None
    with pytest.raises(NotFound, match="Object not found"):
        read_all(provider, key)


def test_multipart_object_is_invisible_until_commit_and_abort_leaves_nothing(provider):
    key = "c/issues/big.bin"
    writer = provider.open_writer(key, "application/octet-stream")
    writer.write(b"a" * (PART_SIZE + 10))  # one part sent already
    assert provider.stat(key) is None
    writer.abort()
    assert provider.stat(key) is None
    assert provider.list("c/") == []

    writer = provider.open_writer(key, "application/octet-stream")
    for _ in range(3):
        writer.write(b"b" * (PART_SIZE // 2 + 1))
    writer.commit()
    assert provider.stat(key).size == 3 * (PART_SIZE // 2 + 1)


def test_list_and_delete_prefix(provider):
    for name in ("a/1.txt", "a/b/2.txt", "ab/3.txt"):
        put_bytes(provider, name, b"x", "text/plain")
    assert [o.key for o in provider.list("a/")] == ["a/1.txt", "a/b/2.txt"]
    assert provider.delete_prefix("a/") == 2
    assert [o.key for o in provider.list("")] == ["ab/3.txt"]


def test_path_tricks_in_keys_are_refused(provider):
    for key in ["../etc/passwd", "a/../../b", "a/./b", "", "a//b", "a/\x00"]:
        with pytest.raises(BadRequest):
            put_bytes(provider, key, b"x", "text/plain")


def test_local_disk_writes_are_private_and_leave_no_temp_file(tmp_path):
    provider = LocalDiskProvider(tmp_path / "s")
    put_bytes(provider, "c/x/y.txt", b"hello", "text/plain")
    path = tmp_path / "s" / "c" / "x" / "y.txt"
    assert path.read_bytes() == b"hello"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "s" / "c").stat().st_mode & 0o777) == "0o700"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_local_disk_key_through_a_symlink_outside_the_root_is_refused(tmp_path):
    provider = LocalDiskProvider(tmp_path / "s")
    (tmp_path / "s").mkdir()
    os.symlink(tmp_path, tmp_path / "s" / "escape")
    with pytest.raises(BadRequest, match="Invalid object key path"):
        put_bytes(provider, "escape/x.txt", b"x", "text/plain")


def test_s3_prefix_is_trimmed_and_joined(moto_server):
    bucket = moto_server.new_bucket()
    provider = S3Provider(
        bucket=bucket, region="us-east-1", endpoint=moto_server.endpoint, force_path_style=True, prefix="/pc/"
    )
    put_bytes(provider, "c/a.txt", b"x", "text/plain")
    assert moto_server.keys(bucket) == ["pc/c/a.txt"]
    assert [o.key for o in provider.list("c/")] == ["c/a.txt"]


def test_s3_requires_bucket_and_region():
    with pytest.raises(Unprocessable, match="S3 storage bucket is required"):
        S3Provider(bucket=" ", region="us-east-1")
    with pytest.raises(Unprocessable, match="S3 storage region is required"):
        S3Provider(bucket="b", region="")


def test_s3_missing_bucket_and_unreachable_endpoint_name_the_setting(moto_server):
    missing = S3Provider(
        bucket="no-such-bucket-here", region="us-east-1", endpoint=moto_server.endpoint, force_path_style=True
    )
    with pytest.raises(StorageUnavailable, match="PAPERCLIP_STORAGE_S3_BUCKET"):
        put_bytes(missing, "c/a.txt", b"x", "text/plain")
    from tests.storage.conftest import free_port

    down = S3Provider(
        bucket="b", region="us-east-1", endpoint=f"http://127.0.0.1:{free_port()}", force_path_style=True
    )
    with pytest.raises(StorageUnavailable, match="PAPERCLIP_STORAGE_S3_ENDPOINT"):
        put_bytes(down, "c/a.txt", b"x", "text/plain")


def test_key_layout_and_sanitising():
    company = uuid.uuid4()
    key = build_key(company, "assets/general", "My Photo (1).PNG", datetime(2026, 3, 4, 23, 59, tzinfo=UTC))
    prefix = f"{company}/assets/general/2026/03/04/"
    assert key.startswith(prefix)
    object_id, name = key[len(prefix) :][:36], key[len(prefix) + 36 :]
    uuid.UUID(object_id)
    assert name == "-My_Photo_1.png"
    tricky = build_key(
        company, "../../etc", "../../passwd", datetime(2026, 3, 4, tzinfo=UTC), object_id=company
    )
    assert tricky == f"{company}/misc/misc/etc/2026/03/04/{company}-passwd"
    assert normalize_key(tricky) == tricky
    assert build_key(company, "", "", object_id=company).endswith(f"/{company}-file")
    assert "/misc/" in build_key(company, None, "a.txt")
    assert split_filename("") == ("file", "")
    assert split_filename("a.TAR.GZ") == ("a.TAR", ".gz")
    assert split_filename("x." + "a" * 40)[1] == "." + "a" * 15
    assert split_filename("évil<script>.svg") == ("vil_script", ".svg")


def test_company_key_assertion():
    company = uuid.uuid4()
    with pytest.raises(Forbidden, match="Object does not belong to company"):
        assert_company_key(company, f"{uuid.uuid4()}/assets/x")
    with pytest.raises(BadRequest):
        assert_company_key(company, f"{company}/../x")
    assert assert_company_key(company, f"{company}/a/b") == f"{company}/a/b"


def test_missing_object_error_type():
    assert issubclass(ObjectNotFound, NotFound)
