"""`paperclipai doctor` and the pre-flight that `run` performs before starting the server."""

from __future__ import annotations

from paperclip.cli.instance_files import ensure_jwt_secret, ensure_master_key
from paperclip.config import Settings, load_settings


def preflight(settings: Settings, *, repair: bool = True) -> Settings:
    """Safe repairs before a start (JWT secret, master key, directories); returns reloaded settings."""
    if repair:
        ensure_jwt_secret(settings.instance_env_file)
        if settings.secrets.master_key is None:
            ensure_master_key(settings.secrets.master_key_file)
        for directory in (settings.log_dir, settings.storage.local_dir):
            directory.mkdir(parents=True, exist_ok=True)
    return load_settings(dict(settings.env), data_dir=str(settings.paths.home), instance=settings.paths.instance_id,
                         config_file=str(settings.config_path))
