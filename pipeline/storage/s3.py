"""The S3 backend for any S3-compatible endpoint (AWS, Ceph RGW, MinIO).

Writes are create-only with ``If-None-Match: *``: a 412 (or a 409 when two
writers race) means the key exists, and the existing object's SHA-256 decides
between an idempotent success and a conflict. Some servers accept wrong
checksums silently, so the SHA-256 is also kept in user metadata and every read
is re-hashed on the client. Retries are botocore's own (standard or adaptive
mode); nothing here loops around the pipeline.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from pipeline.errors import (
    IntegrityError,
    ObjectConflictError,
    ObjectNotFoundError,
    RetentionError,
    StorageError,
)
from pipeline.storage.base import Protection, PutOutcome
from pipeline.storage.keys import expected_sha256

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_EXISTS_CODES = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_LOCKED_CODES = {"AccessDenied", "403", "InvalidRequest"}


@dataclass(frozen=True)
class S3Settings:
    """Connection and write-protection settings for :class:`S3Store`."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    checksum: Literal["sha256", "md5"] = "sha256"
    retry_mode: Literal["standard", "adaptive"] = "standard"
    max_attempts: int = 8
    lock_mode: Literal["COMPLIANCE", "GOVERNANCE"] | None = None
    retain_days: int | None = None
    sse_kms_key_id: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_pool_connections: int = 16


def _code(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return str(error.get("Code", "")) or str(
        exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
    )


class S3Store:
    """Objects in one bucket, under an optional key prefix."""

    def __init__(self, settings: S3Settings, client: S3Client | None = None) -> None:
        self.settings = settings
        self.description = f"bucket {settings.bucket}" + (
            f" (prefix {settings.prefix})" if settings.prefix else ""
        )
        if client is None:
            config = Config(
                retries={"mode": settings.retry_mode, "max_attempts": settings.max_attempts},
                s3={"addressing_style": settings.addressing_style},
                connect_timeout=settings.connect_timeout,
                read_timeout=settings.read_timeout,
                max_pool_connections=settings.max_pool_connections,
                # Servers without flexible checksums (Ceph RGW 16) reject the CRC32 trailers
                # that botocore adds by default; we send our own checksum header instead.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            client = boto3.client(
                "s3",
                endpoint_url=settings.endpoint_url,
                region_name=settings.region,
                config=config,
            )
        self.client = client

    def _key(self, key: str) -> str:
        return f"{self.settings.prefix.rstrip('/')}/{key}" if self.settings.prefix else key

    def _fail(self, action: str, key: str, exc: Exception) -> StorageError:
        detail = _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
        return StorageError(f"could not {action} {key} in {self.description}: {detail} ({exc})")

    def put(self, key: str, data: bytes) -> PutOutcome:
        """Create ``key``; 412 with the same bytes is success, with other bytes a conflict."""
        digest = hashlib.sha256(data).digest()
        args: dict[str, Any] = {
            "Bucket": self.settings.bucket,
            "Key": self._key(key),
            "Body": data,
            "IfNoneMatch": "*",
            "Metadata": {"sha256": digest.hex()},
        }
        if self.settings.checksum == "sha256":
            args["ChecksumAlgorithm"] = "SHA256"
            args["ChecksumSHA256"] = base64.b64encode(digest).decode()
        else:
            args["ContentMD5"] = base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 -- transport integrity, as S3 defines it
        if self.settings.lock_mode and self.settings.retain_days:
            args["ObjectLockMode"] = self.settings.lock_mode
            args["ObjectLockRetainUntilDate"] = datetime.now(UTC) + timedelta(
                days=self.settings.retain_days
            )
        if self.settings.sse_kms_key_id:
            args["ServerSideEncryption"] = "aws:kms"
            args["SSEKMSKeyId"] = self.settings.sse_kms_key_id
        try:
            self.client.put_object(**args)
        except ClientError as exc:
            if _code(exc) in _EXISTS_CODES:
                return self._existing(key, digest.hex())
            raise self._fail("write", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("write", key, exc) from exc
        return PutOutcome.CREATED

    def _existing(self, key: str, digest: str) -> PutOutcome:
        try:
            head = self.client.head_object(Bucket=self.settings.bucket, Key=self._key(key))
        except ClientError as exc:
            raise self._fail("inspect", key, exc) from exc
        stored = head.get("Metadata", {}).get("sha256")
        if stored is None:
            stored = hashlib.sha256(self.get(key)).hexdigest()
        if stored != digest:
            raise ObjectConflictError(
                f"{key} already exists in {self.description} with different content;"
                " it was not overwritten"
            )
        return PutOutcome.EXISTED

    def get(self, key: str, *, verify: bool = True) -> bytes:
        """Read ``key`` and re-hash it: the server's own checksum check is not trusted."""
        try:
            response = self.client.get_object(Bucket=self.settings.bucket, Key=self._key(key))
            data = response["Body"].read()
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                raise ObjectNotFoundError(f"{key} is not in {self.description}") from exc
            raise self._fail("read", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("read", key, exc) from exc
        if not verify:
            return data
        actual = hashlib.sha256(data).hexdigest()
        for expected in (response.get("Metadata", {}).get("sha256"), expected_sha256(key)):
            if expected is not None and expected != actual:
                raise IntegrityError(
                    f"{key} in {self.description} no longer matches its SHA-256: it was altered"
                )
        return data

    def exists(self, key: str) -> bool:
        """True when ``key`` is stored (and not behind a delete marker)."""
        try:
            self.client.head_object(Bucket=self.settings.bucket, Key=self._key(key))
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                return False
            raise self._fail("inspect", key, exc) from exc
        return True

    def list(self, prefix: str, start_after: str | None = None) -> Iterator[str]:
        """Keys under ``prefix``, ascending, as S3 lists them."""
        args: dict[str, Any] = {"Bucket": self.settings.bucket, "Prefix": self._key(prefix)}
        if start_after is not None:
            args["StartAfter"] = self._key(start_after)
        strip = len(self._key(""))
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(**args):
                for item in page.get("Contents", []):
                    yield item["Key"][strip:]
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("list", prefix, exc) from exc

    def protection(self, key: str) -> Protection:
        """Object Lock retention and legal hold, read with HEAD (works on every server)."""
        try:
            head = self.client.head_object(Bucket=self.settings.bucket, Key=self._key(key))
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                raise ObjectNotFoundError(f"{key} is not in {self.description}") from exc
            raise self._fail("inspect", key, exc) from exc
        return Protection(
            retain_until=head.get("ObjectLockRetainUntilDate"),
            mode=head.get("ObjectLockMode"),
            legal_hold=head.get("ObjectLockLegalHoldStatus") == "ON",
        )

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Place or lift an S3 legal hold."""
        try:
            self.client.put_object_legal_hold(
                Bucket=self.settings.bucket,
                Key=self._key(key),
                LegalHold={"Status": "ON" if on else "OFF"},
            )
        except ClientError as exc:
            raise self._fail("change the legal hold of", key, exc) from exc

    def delete(self, key: str) -> None:
        """Delete every version of ``key``; the server refuses while a lock protects one.

        A delete without a version id would only add a delete marker and keep the
        bytes, so lawful disposal removes each version explicitly.
        """
        full = self._key(key)
        try:
            listing = self.client.list_object_versions(Bucket=self.settings.bucket, Prefix=full)
            versions = [
                v["VersionId"]
                for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
                if v["Key"] == full
            ]
            if not versions:
                self.client.delete_object(Bucket=self.settings.bucket, Key=full)
            for version in versions:
                self.client.delete_object(Bucket=self.settings.bucket, Key=full, VersionId=version)
        except ClientError as exc:
            if _code(exc) in _LOCKED_CODES:
                raise RetentionError(
                    f"{key} in {self.description} is under retention or legal hold"
                    " and cannot be deleted"
                ) from exc
            raise self._fail("delete", key, exc) from exc
