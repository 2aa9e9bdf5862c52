"""The S3 backend for any S3-compatible endpoint (AWS, Ceph RGW, MinIO).

Writes are create-only with ``If-None-Match: *``: a 412 (or a 409 when two
writers race) means the key exists, and the existing object's SHA-256 decides
between an idempotent success and a conflict. Some servers accept wrong
checksums silently, so the SHA-256 is also kept in user metadata and every read
is re-hashed on the client. Retries are botocore's own (standard or adaptive
mode); nothing here loops around the pipeline.

First version wins (``S3Settings.first_version_wins``): Ceph RGW 16 ignores
``If-None-Match: *`` on versioned buckets, and every Object Lock bucket is
versioned, so a second PUT silently adds a version instead of failing. With the
setting on, the key's OLDEST version is the object: after a PUT the store lists
the key's versions and only the writer whose version is the oldest created it;
reads, ``exists`` and ``protection`` resolve the oldest version and address it by
version id, so a version written later (by a racing writer or behind the
store's back) can never replace what was written first. A loser's extra version
cannot be deleted while it is locked, and is harmless because nothing reads it.
The bucket index orders a key's versions by when they were linked, and a PUT
returns only after its version is linked, so two writers can never both see
their own version as the oldest.

Other Ceph RGW 16 differences from AWS, measured: shortening COMPLIANCE
retention is refused with 403 AccessDenied (AWS: 400); a wrong
``x-amz-checksum-sha256`` is accepted silently (hence ``checksum: md5``, whose
Content-MD5 RGW does check); ``If-Match`` compares against the ETag without its
quotes and never matches on a versioned bucket (this store does not use it).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

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
from pipeline.storage.base import Protection, PutOutcome, StoredVersion
from pipeline.storage.keys import expected_sha256
from pipeline.storage.settings import S3Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_EXISTS_CODES = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_LOCKED_CODES = {"AccessDenied", "403", "InvalidRequest"}
_READ_CHUNK = 1 << 20  # bytes per chunk when an object is hashed as it streams in


def _code(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return str(error.get("Code", "")) or str(
        exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
    )


@dataclass(frozen=True)
class _Version:
    """One stored version of a key, as a version listing reports it."""

    version_id: str
    etag: str


def make_client(
    settings: S3Settings, *, access_key: str | None = None, secret_key: str | None = None
) -> S3Client:
    """A boto3 S3 client for ``settings``; credentials from the boto3 chain unless given."""
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
    # A session of its own: boto3's default session caches the first credentials it
    # resolves for the whole process, and clients from it must not be shared across
    # threads while being created.
    client: S3Client = boto3.session.Session().client(
        "s3",
        endpoint_url=settings.endpoint_url,
        region_name=settings.region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=config,
    )
    return client


class S3Store:
    """Objects in one bucket, under an optional key prefix."""

    def __init__(self, settings: S3Settings, client: S3Client | None = None) -> None:
        self.settings = settings
        self.description = f"bucket {settings.bucket}" + (
            f" (prefix {settings.prefix})" if settings.prefix else ""
        )
        self.client = client if client is not None else make_client(settings)
        # each put waits a round trip; one connection per concurrent put
        self.write_concurrency = settings.max_pool_connections
        self.oldest_version_wins = settings.first_version_wins

    def _key(self, key: str) -> str:
        return f"{self.settings.prefix.rstrip('/')}/{key}" if self.settings.prefix else key

    def _fail(self, action: str, key: str, exc: Exception) -> StorageError:
        detail = _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
        return StorageError(f"could not {action} {key} in {self.description}: {detail} ({exc})")

    # -- versions (first_version_wins) ----------------------------------------------

    def _oldest(self, key: str) -> _Version | None:
        """The oldest stored version of ``key`` (delete markers ignored), or None.

        One ``ListObjectVersions`` call in the usual case: versions come newest first
        and the exact key sorts before every longer key it prefixes, so the listing
        only pages on when the key itself has more versions than one page holds.
        """
        full = self._key(key)
        args: dict[str, Any] = {"Bucket": self.settings.bucket, "Prefix": full}
        oldest: _Version | None = None
        while True:
            page = self.client.list_object_versions(**args)
            for item in page.get("Versions", []):
                if item.get("Key") == full:
                    oldest = _Version(str(item["VersionId"]), str(item.get("ETag", "")))
            if not page.get("IsTruncated") or page.get("NextKeyMarker") != full:
                return oldest
            args["KeyMarker"] = page["NextKeyMarker"]
            args["VersionIdMarker"] = page["NextVersionIdMarker"]

    def _oldest_or_missing(self, key: str, action: str) -> _Version:
        try:
            version = self._oldest(key)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(action, key, exc) from exc
        if version is None:
            raise ObjectNotFoundError(f"{key} is not in {self.description}")
        return version

    def _version_args(self, key: str, version: _Version | None) -> dict[str, Any]:
        args: dict[str, Any] = {"Bucket": self.settings.bucket, "Key": self._key(key)}
        if version is not None:
            args["VersionId"] = version.version_id
        return args

    # -- version history (verify) ----------------------------------------------------

    def list_versions(self, prefix: str) -> list[StoredVersion] | None:
        """Every version and delete marker under ``prefix``, each key's newest first.

        None when versioning was never enabled on the bucket: then a key has one
        object and nothing to list.
        """
        try:
            status = self.client.get_bucket_versioning(Bucket=self.settings.bucket).get("Status")
            if status not in ("Enabled", "Suspended"):
                return None
            strip = len(self._key(""))
            found: list[tuple[str, int, StoredVersion]] = []
            paginator = self.client.get_paginator("list_object_versions")
            for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=self._key(prefix)):
                for kind, marker in (("Versions", False), ("DeleteMarkers", True)):
                    for item in page.get(kind, []):  # type: ignore[attr-defined]
                        version = StoredVersion(
                            key=str(item["Key"])[strip:],
                            version_id=str(item["VersionId"]),
                            delete_marker=marker,
                            modified=item.get("LastModified"),
                        )
                        found.append((version.key, len(found), version))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("list the versions of", prefix, exc) from exc
        # A page lists a key's versions and its delete markers apart; the server orders
        # each list newest first, and LastModified (whole seconds on some servers) then
        # merges the two.
        found.sort(
            key=lambda item: (
                item[0],
                -(item[2].modified.timestamp() if item[2].modified else 0.0),
                item[1],
            )
        )
        return [version for _key, _order, version in found]

    def read_version(self, key: str, version_id: str) -> bytes:
        """The bytes of one version of ``key``."""
        try:
            response = self.client.get_object(
                Bucket=self.settings.bucket, Key=self._key(key), VersionId=version_id
            )
            data: bytes = response["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise self._read_error(key, exc) from exc
        return data

    # -- the ObjectStore protocol ---------------------------------------------------

    def put(self, key: str, data: bytes) -> PutOutcome:
        """Create ``key``; 412 with the same bytes is success, with other bytes a conflict."""
        digest = hashlib.sha256(data).digest()
        md5 = hashlib.md5(data).digest()  # noqa: S324 -- transport integrity, as S3 defines it
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
            args["ContentMD5"] = base64.b64encode(md5).decode()
        if self.settings.lock_mode and self.settings.retain_days:
            args["ObjectLockMode"] = self.settings.lock_mode
            args["ObjectLockRetainUntilDate"] = datetime.now(UTC) + timedelta(
                days=self.settings.retain_days
            )
        if self.settings.sse_kms_key_id:
            args["ServerSideEncryption"] = "aws:kms"
            args["SSEKMSKeyId"] = self.settings.sse_kms_key_id
        content_addressed = expected_sha256(key) is not None
        try:
            if self.settings.first_version_wins and content_addressed:
                # The same attachment or message arrives again and again; without this
                # look every repeat would add a version that stays locked for years. The
                # key names the bytes, so whoever wrote the first version wrote ours.
                existing = self._oldest(key)
                if existing is not None:
                    return self._existing(key, digest.hex(), existing, md5.hex())
            response = self.client.put_object(**args)
            if not self.settings.first_version_wins or content_addressed:
                return PutOutcome.CREATED
            ours = response.get("VersionId")
            oldest = self._oldest(key)
            if ours is None or ours == "null" or oldest is None:
                # Unversioned bucket: If-None-Match was honoured, so the write was ours.
                return PutOutcome.CREATED
            if oldest.version_id == ours:
                return PutOutcome.CREATED
            return self._existing(key, digest.hex(), oldest, md5.hex())
        except ClientError as exc:
            if _code(exc) in _EXISTS_CODES:
                version = self._oldest(key) if self.settings.first_version_wins else None
                return self._existing(key, digest.hex(), version, md5.hex())
            raise self._fail("write", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("write", key, exc) from exc

    def _existing(
        self, key: str, digest: str, version: _Version | None, md5_hex: str
    ) -> PutOutcome:
        """EXISTED when ``version`` (None: the current object) holds ``digest``, else conflict."""
        if (
            version is not None
            and expected_sha256(key) == digest
            and version.etag.strip('"') == md5_hex
        ):
            # A content-addressed key whose single-part ETag is our MD5: the same bytes,
            # and any later change shows up when a read re-hashes against the key.
            return PutOutcome.EXISTED
        try:
            head = self.client.head_object(**self._version_args(key, version))
        except ClientError as exc:
            raise self._fail("inspect", key, exc) from exc
        stored = head.get("Metadata", {}).get("sha256")
        if stored is None:
            stored = hashlib.sha256(self._read(key, version)[0]).hexdigest()
        if stored != digest:
            raise ObjectConflictError(
                f"{key} already exists in {self.description} with different content;"
                " it was not overwritten"
            )
        return PutOutcome.EXISTED

    def _read(self, key: str, version: _Version | None) -> tuple[bytes, dict[str, str]]:
        try:
            response = self.client.get_object(**self._version_args(key, version))
            return response["Body"].read(), dict(response.get("Metadata", {}))
        except (ClientError, BotoCoreError) as exc:
            raise self._read_error(key, exc) from exc

    def _read_error(self, key: str, exc: ClientError | BotoCoreError) -> StorageError:
        if isinstance(exc, ClientError) and _code(exc) in _MISSING_CODES:
            return ObjectNotFoundError(f"{key} is not in {self.description}")
        return self._fail("read", key, exc)

    def get(self, key: str, *, verify: bool = True) -> bytes:
        """Read ``key`` (its oldest version under first-version-wins) and re-hash it.

        The server's own checksum check is not trusted.
        """
        version = self._oldest_or_missing(key, "read") if self.settings.first_version_wins else None
        data, metadata = self._read(key, version)
        if verify:
            self._check_recorded(key, hashlib.sha256(data).hexdigest(), metadata)
        return data

    def sha256(self, key: str) -> str:
        """The SHA-256 of ``key``'s bytes, streamed, checked as :meth:`get` checks them."""
        version = self._oldest_or_missing(key, "read") if self.settings.first_version_wins else None
        digest = hashlib.sha256()
        try:
            response = self.client.get_object(**self._version_args(key, version))
            for chunk in response["Body"].iter_chunks(_READ_CHUNK):
                digest.update(chunk)
        except (ClientError, BotoCoreError) as exc:
            raise self._read_error(key, exc) from exc
        metadata = dict(response.get("Metadata", {}))
        actual = digest.hexdigest()
        self._check_recorded(key, actual, metadata)
        return actual

    def _check_recorded(self, key: str, actual: str, metadata: dict[str, str]) -> None:
        """Raise IntegrityError unless ``actual`` is the hash recorded and the key promises."""
        for expected in (metadata.get("sha256"), expected_sha256(key)):
            if expected is not None and expected != actual:
                raise IntegrityError(
                    f"{key} in {self.description} no longer matches its SHA-256: it was altered"
                )

    def exists(self, key: str) -> bool:
        """True when ``key`` is stored.

        Under first-version-wins a delete marker does not hide it: the first
        version is still there and is what ``get`` returns.
        """
        if self.settings.first_version_wins:
            try:
                return self._oldest(key) is not None
            except (ClientError, BotoCoreError) as exc:
                raise self._fail("inspect", key, exc) from exc
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
        version = (
            self._oldest_or_missing(key, "inspect") if self.settings.first_version_wins else None
        )
        try:
            head = self.client.head_object(**self._version_args(key, version))
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                raise ObjectNotFoundError(f"{key} is not in {self.description}") from exc
            raise self._fail("inspect", key, exc) from exc
        return Protection(
            retain_until=head.get("ObjectLockRetainUntilDate"),
            mode=head.get("ObjectLockMode"),
            legal_hold=head.get("ObjectLockLegalHoldStatus") == "ON",
        )

    def durable_batch(self, *, settle_existing: bool = False) -> AbstractContextManager[None]:
        """S3 acknowledges a PUT only once it is durable: nothing to defer. An object is
        there only once its PUT, retention included, completed, so one a dead writer
        left needs nothing either (``settle_existing`` changes nothing here)."""
        return contextlib.nullcontext()

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Place or lift an S3 legal hold (on the oldest version under first-version-wins)."""
        version = (
            self._oldest_or_missing(key, "change the legal hold of")
            if self.settings.first_version_wins
            else None
        )
        try:
            self.client.put_object_legal_hold(
                **self._version_args(key, version),
                LegalHold={"Status": "ON" if on else "OFF"},
            )
        except ClientError as exc:
            raise self._fail("change the legal hold of", key, exc) from exc

    def delete(self, key: str) -> None:
        """Delete every version of ``key``; the server refuses while a lock protects one.

        A delete without a version id would only add a delete marker and keep the
        bytes, so lawful disposal removes each version explicitly. Versions go newest
        first: if the server refuses one, the oldest (the object itself) is still
        there, so a refused delete never leaves a later version in its place.
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
