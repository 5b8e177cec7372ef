"""The asyncpg pool's size: the configured pool size, at most about two connections per core."""

from __future__ import annotations

from paperclip.db.database import fast_pool_size


def test_the_fast_pool_is_capped_near_two_connections_per_core():
    assert fast_pool_size(20, cpus=2) == 5
    assert fast_pool_size(40, cpus=2) == 5
    assert fast_pool_size(3, cpus=2) == 3  # a smaller PAPERCLIP_DB_POOL_MAX still wins
    assert fast_pool_size(20, cpus=64) == 20
    assert fast_pool_size(1, cpus=1) == 1
    assert fast_pool_size(20) >= 1  # this machine's cores
