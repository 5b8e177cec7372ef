"""`aws_secrets_manager`: values kept in AWS Secrets Manager (boto3, the standard credential chain:
environment, profile, container or instance role — nothing stored by us).

Two modes. Managed: Paperclip writes the value to a secret named `<prefix>/<companyId>/<secretId>`
(create = `CreateSecret`, rotate = `PutSecretValue`; each version pins its `VersionId`).
External reference: the secret is created with `externalRef` (a name or ARN, optionally
`#jsonField` to pick one field of a JSON secret) and no value; it resolves to the referenced
secret's current value at run time. Material holds ids only, never a value.

Settings: `PAPERCLIP_SECRETS_AWS_REGION` (else the SDK's AWS_REGION / profile),
`PAPERCLIP_SECRETS_AWS_ENDPOINT` (a compatible endpoint, e.g. LocalStack), `PAPERCLIP_SECRETS_AWS_PREFIX`
(default `paperclip`), `PAPERCLIP_SECRETS_AWS_KMS_KEY_ID` (optional CMK for managed secrets).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

from paperclip.config import Settings
from paperclip.secrets.providers.base import PreparedVersion, SecretIdentity, SecretProviderError, sha256_hex

SCHEME = "aws_secrets_manager_v1"
REGION = "PAPERCLIP_SECRETS_AWS_REGION"
ENDPOINT = "PAPERCLIP_SECRETS_AWS_ENDPOINT"
PREFIX = "PAPERCLIP_SECRETS_AWS_PREFIX"
KMS_KEY = "PAPERCLIP_SECRETS_AWS_KMS_KEY_ID"
MASTER_KEY_TTL_SECONDS = 300.0

_clients: dict[tuple[str | None, str | None], Any] = {}
_clients_lock = threading.Lock()
_master_keys: dict[tuple[str | None, str | None, str], tuple[float, str]] = {}


def _setting(settings: Settings, name: str) -> str | None:
    return (settings.env.get(name) or "").strip() or None


def client(settings: Settings):
    region, endpoint = _setting(settings, REGION), _setting(settings, ENDPOINT)
    with _clients_lock:
        found = _clients.get((region, endpoint))
        if found is None:
            import boto3
            from botocore.config import Config

            found = boto3.session.Session().client(
                "secretsmanager",
                region_name=region,
                endpoint_url=endpoint,
                config=Config(
                    retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=15
                ),
            )
            _clients[(region, endpoint)] = found
        return found


def describe_failure(settings: Settings, exc: Exception, what: str) -> str:
    """One line naming what failed and the settings to check; never a value."""
    from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError

    where = _setting(settings, ENDPOINT) or "AWS"
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "Error")
        if code == "ResourceNotFoundException":
            return f"AWS Secrets Manager: {what} not found"
        if code in ("AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException"):
            return (
                f"AWS Secrets Manager refused {what} ({code}): check the credentials of the standard chain "
                "(AWS_PROFILE, AWS_ACCESS_KEY_ID, the instance/task role) and their IAM policy"
            )
        return f"AWS Secrets Manager failed on {what} ({code})"
    if isinstance(exc, NoCredentialsError):
        return (
            "AWS Secrets Manager: no credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "or run with an IAM role)"
        )
    if isinstance(exc, NoRegionError):
        return f"AWS Secrets Manager: no region configured (set {REGION} or AWS_REGION)"
    return f"AWS Secrets Manager unreachable at {where} for {what} ({type(exc).__name__}; check {ENDPOINT} / {REGION})"


def _call(settings: Settings, what: str, method: str, **kwargs: Any) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return getattr(client(settings), method)(**kwargs)
    except (BotoCoreError, ClientError) as exc:
        raise SecretProviderError(describe_failure(settings, exc, what)) from None


def _value_of(response: dict[str, Any]) -> str:
    if response.get("SecretString") is not None:
        return response["SecretString"]
    return bytes(response.get("SecretBinary") or b"").decode("utf-8")


def _split_ref(ref: str) -> tuple[str, str | None]:
    secret_id, _, field = ref.partition("#")
    return secret_id, field or None


def read_value(
    settings: Settings, secret_id: str, version_id: str | None = None, field: str | None = None
) -> str:
    kwargs: dict[str, Any] = {"SecretId": secret_id}
    if version_id:
        kwargs["VersionId"] = version_id
    value = _value_of(_call(settings, f"secret {secret_id}", "get_secret_value", **kwargs))
    if field is None:
        return value
    try:
        picked = json.loads(value)[field]
    except (ValueError, KeyError, TypeError):
        raise SecretProviderError(f"AWS secret {secret_id} has no JSON field {field}") from None
    return picked if isinstance(picked, str) else json.dumps(picked)


def fetch_master_key_text(settings: Settings, secret_id: str) -> str:
    """The local master key kept in AWS Secrets Manager (PAPERCLIP_SECRETS_MASTER_KEY_AWS_SECRET_ID),
    cached for a few minutes per process."""
    from paperclip.secrets.master_key import AWS_SETTING, MasterKeyError

    cache_key = (_setting(settings, REGION), _setting(settings, ENDPOINT), secret_id)
    cached = _master_keys.get(cache_key)
    if cached and time.monotonic() - cached[0] < MASTER_KEY_TTL_SECONDS:
        return cached[1]
    try:
        ref, field = _split_ref(secret_id)
        text = read_value(settings, ref, field=field)
    except SecretProviderError as exc:
        raise MasterKeyError(
            f"Cannot load the master key from {AWS_SETTING}={secret_id}: {exc.message}"
        ) from None
    _master_keys[cache_key] = (time.monotonic(), text)
    return text


def forget_cached_master_keys() -> None:
    _master_keys.clear()


class AwsSecretsManagerProvider:
    name = "aws_secrets_manager"

    def __init__(self, settings: Settings):
        self.settings = settings

    def managed_name(self, identity: SecretIdentity) -> str:
        prefix = (_setting(self.settings, PREFIX) or "paperclip").strip("/")
        return f"{prefix}/{identity.company_id}/{identity.secret_id}"

    def _prepare(
        self, identity: SecretIdentity, version: int, value: str | None, external_ref: str | None
    ) -> PreparedVersion:
        if value is None:  # external reference: it must exist and be readable now
            if not external_ref:
                raise SecretProviderError("aws_secrets_manager secrets need a value or an externalRef")
            secret_id, field = _split_ref(external_ref)
            read_value(self.settings, secret_id, field=field)
            material = {"scheme": SCHEME, "mode": "external_reference", "secretId": secret_id, "field": field}
            return PreparedVersion(material, "", external_ref)
        name = self.managed_name(identity)
        if version == 1:
            kwargs: dict[str, Any] = {
                "Name": name,
                "SecretString": value,
                "Description": f"Paperclip secret {identity.name}",
                "Tags": [
                    {"Key": "paperclip:company", "Value": str(identity.company_id)},
                    {"Key": "paperclip:secret", "Value": str(identity.secret_id)},
                ],
            }
            kms = _setting(self.settings, KMS_KEY)
            if kms:
                kwargs["KmsKeyId"] = kms
            response = _call(self.settings, f"secret {name}", "create_secret", **kwargs)
        else:
            response = _call(
                self.settings, f"secret {name}", "put_secret_value", SecretId=name, SecretString=value
            )
        material = {
            "scheme": SCHEME,
            "mode": "managed",
            "secretId": response.get("ARN") or name,
            "versionId": response.get("VersionId"),
        }
        return PreparedVersion(material, sha256_hex(value), None)

    async def prepare(
        self, identity: SecretIdentity, version: int, *, value: str | None, external_ref: str | None
    ) -> PreparedVersion:
        return await asyncio.to_thread(self._prepare, identity, version, value, external_ref)

    async def resolve(self, material: dict[str, Any], external_ref: str | None) -> str:
        if not isinstance(material, dict) or material.get("scheme") != SCHEME or not material.get("secretId"):
            raise SecretProviderError("AWS secret material is invalid")
        return await asyncio.to_thread(
            read_value, self.settings, material["secretId"], material.get("versionId"), material.get("field")
        )

    def delete_managed(self, secret_ref: str) -> None:
        """Schedule a managed copy for deletion (AWS keeps it 7 days); one already gone or already
        scheduled counts as done."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            client(self.settings).delete_secret(SecretId=secret_ref, RecoveryWindowInDays=7)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "ResourceNotFoundException" or (
                error.get("Code") == "InvalidRequestException"
                and "scheduled for deletion" in str(error.get("Message"))
            ):
                return
            raise SecretProviderError(describe_failure(self.settings, exc, f"secret {secret_ref}")) from None
        except BotoCoreError as exc:
            raise SecretProviderError(describe_failure(self.settings, exc, f"secret {secret_ref}")) from None

    async def delete(self, identity: SecretIdentity, external_ref: str | None) -> None:
        """Managed copies are scheduled for deletion (AWS keeps them 7 days); referenced secrets stay."""
        if external_ref:
            return
        await asyncio.to_thread(
            _call,
            self.settings,
            f"secret {self.managed_name(identity)}",
            "delete_secret",
            SecretId=self.managed_name(identity),
            RecoveryWindowInDays=7,
        )
