"""Provider by name. `PAPERCLIP_SECRETS_PROVIDER` picks the default for new secrets; a secret keeps
the provider it was created with."""

from __future__ import annotations

from paperclip.config import Settings
from paperclip.secrets.providers.base import SecretProvider, SecretProviderError

AVAILABLE = ("local_encrypted", "aws_secrets_manager")
COMING_SOON = ("gcp_secret_manager", "vault")


def get_provider(settings: Settings, name: str | None = None) -> SecretProvider:
    name = name or settings.secrets.provider
    if name == "local_encrypted":
        from paperclip.secrets.providers.local_encrypted import LocalEncryptedProvider

        return LocalEncryptedProvider(settings)
    if name == "aws_secrets_manager":
        from paperclip.secrets.providers.aws import AwsSecretsManagerProvider

        return AwsSecretsManagerProvider(settings)
    raise SecretProviderError(
        f"Secret provider {name} is not supported by this build (supported: {', '.join(AVAILABLE)})"
    )


def providers_to_wire(settings: Settings) -> list[dict[str, object]]:
    default = settings.secrets.provider
    return [
        {
            "id": name,
            "label": name.replace("_", " "),
            "available": name in AVAILABLE,
            "default": name == default,
        }
        for name in (*AVAILABLE, *COMING_SOON)
    ]
