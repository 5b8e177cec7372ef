"""Configuration: the config.json schema, .env files, and the one resolved Settings object."""

from paperclip.config.settings import Settings, load_settings

__all__ = ["Settings", "load_settings"]
