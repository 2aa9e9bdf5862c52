"""Builds the real adapters (store, ledger) from a validated config."""

from __future__ import annotations

import atexit
import getpass
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

from pipeline.config import Config, LocalStorageConfig
from pipeline.errors import CheckpointError, ConfigError
from pipeline.ledger.checkpoint import SigningKey, VerifierKey
from pipeline.ledger.cosignature import CosignerKey
from pipeline.ledger.keys import parse_verifier_keys, read_signing_key
from pipeline.ledger.log import Ledger
from pipeline.ledger.relay import (
    WITNESS_STATUS_FILE,
    StoreLeaves,
    WitnessRelay,
    store_target,
    tlog_target,
)
from pipeline.ledger.tlog_witness import TlogWitnessClient, TlogWitnessSettings
from pipeline.ledger.witness import CheckpointWitness, StoreWitness
from pipeline.secrets import read_secret
from pipeline.storage.base import ObjectStore, Protection, PutOutcome
from pipeline.storage.local import LocalStore
from pipeline.storage.settings import LocalSettings, S3Settings, StoreSettings, open_store

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from mypy_boto3_sqs import SQSClient


def store_settings(config: Config) -> StoreSettings:
    """The configured object store's settings (what a worker process opens its own with)."""
    storage = config.storage
    if isinstance(storage, LocalStorageConfig):
        return LocalSettings(
            storage.path,
            retain_days=storage.retain_days,
            fsync=storage.fsync,
            file_mode=config.files.file_mode,
        )
    lock = storage.object_lock
    return S3Settings(
        bucket=storage.bucket,
        prefix=storage.prefix,
        endpoint_url=storage.endpoint_url,
        region=storage.region,
        addressing_style=storage.addressing_style,
        checksum=storage.checksum,
        retry_mode=storage.retry_mode,
        max_attempts=storage.max_attempts,
        lock_mode=lock.mode if lock else None,
        retain_days=lock.retain_days if lock else None,
        sse_kms_key_id=storage.sse_kms_key_id,
        max_pool_connections=storage.max_pool_connections,
        first_version_wins=storage.first_version_wins,
    )


def build_store(config: Config) -> ObjectStore:
    """The configured object store."""
    return open_store(store_settings(config))


def actor_name(config: Config, role: str = "person") -> str:
    """Who is acting: config ``actor``, else ``$MAILLEDGER_ACTOR``, else OS user at host."""
    if config.actor:
        return config.actor
    if os.environ.get("MAILLEDGER_ACTOR"):
        return os.environ["MAILLEDGER_ACTOR"]
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid{os.getuid()}"
    return f"{role}:{user}@{socket.gethostname()}"


def verifier_keys(config: Config) -> list[VerifierKey]:
    """Keys trusted to have signed checkpoints: the configured ones plus our own."""
    keys = parse_verifier_keys(config.signing.verifier_keys)
    signing = read_signing_key(env=config.signing.key_env, file=config.signing.key_file)
    if signing is not None and signing.verifier not in keys:
        keys.append(signing.verifier)
    return keys


def writer_key(config: Config) -> SigningKey | None:
    """This process's certified batch-signing key, when one is configured."""
    return read_signing_key(env=config.signing.writer_key_env, file=config.signing.writer_key_file)


def retention_days(config: Config) -> int | None:
    """The retention the config puts on every stored object (disposals must respect it)."""
    storage = config.storage
    if isinstance(storage, LocalStorageConfig):
        return storage.retain_days
    return storage.object_lock.retain_days if storage.object_lock else None


@dataclass(frozen=True)
class Runtime:
    """The adapters one command works with."""

    config: Config
    store: ObjectStore
    ledger: Ledger
    relay: WitnessRelay | None = None  # delivers signed checkpoints to the witnesses

    def close(self) -> None:
        """Let the witnesses take the checkpoints signed so far (bounded wait)."""
        if self.relay is not None:
            self.relay.close(witness_wait_seconds(self.config))


def absent_local_store(config: Config) -> Path | None:
    """The configured local store's folder when it does not exist (yet), else None.

    A local store path that names something other than a folder is a
    :class:`ConfigError` naming it and the config file.
    """
    storage = config.storage
    if not isinstance(storage, LocalStorageConfig) or storage.path.is_dir():
        return None
    if storage.path.exists():
        raise ConfigError(f"the store {storage.path}{_in_config(config)} is not a folder")
    return storage.path


def _in_config(config: Config) -> str:
    return f" (storage.path in {config.source_path})" if config.source_path else ""


class _AbsentStore:
    """Stands in, under a read-only ledger, for a local store whose folder does not exist.

    Reading a ledger there would find it empty, and search, cases or holds would report
    "nothing" for what is most likely a mistyped path; so every use is refused in one
    line naming the path and the config file. Only the ledger is given this: the store
    itself stays real, so that ``verify`` reports the missing ledger in its own words
    and a command that puts an object (a writer certificate) creates the folder.
    """

    def __init__(self, config: Config, root: Path) -> None:
        self.description = f"local store at {root}"
        self.write_concurrency = 1
        self._message = (
            f"the store {root}{_in_config(config)} does not exist: nothing has been recorded"
            " there; check the path"
        )

    def _refuse(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise ConfigError(self._message)

    def put(self, key: str, data: bytes) -> PutOutcome:
        """Refused: see the class."""
        self._refuse()

    def get(self, key: str, *, verify: bool = True) -> bytes:
        """Refused: see the class."""
        self._refuse()

    def sha256(self, key: str) -> str:
        """Refused: see the class."""
        self._refuse()

    def exists(self, key: str) -> bool:
        """Refused: see the class."""
        self._refuse()

    def list(self, prefix: str, start_after: str | None = None) -> Iterator[str]:
        """Refused: see the class."""
        self._refuse()

    def delete(self, key: str) -> None:
        """Refused: see the class."""
        self._refuse()

    def protection(self, key: str) -> Protection:
        """Refused: see the class."""
        self._refuse()

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Refused: see the class."""
        self._refuse()

    def durable_batch(self, *, settle_existing: bool = False) -> AbstractContextManager[None]:
        """Refused: see the class."""
        self._refuse()


def open_runtime(config: Config, *, writable: bool, existing_store: bool = False) -> Runtime:
    """Store and ledger; ``writable`` requires the signing key or a certified writer key.

    A local store path that is not a folder is a :class:`ConfigError`. With
    ``existing_store`` (the commands' runtimes), a read-only runtime over a local store
    that does not exist refuses, in one line naming the path, the first use of its
    ledger; a writable one creates the store with its first write.
    """
    signing = read_signing_key(env=config.signing.key_env, file=config.signing.key_file)
    writer = writer_key(config)
    if writable and signing is None and writer is None:
        places = [f"file {config.signing.key_file}"] if config.signing.key_file else []
        places += [f"${config.signing.key_env}"] if config.signing.key_env else []
        raise ConfigError(
            f"no checkpoint signing key (looked in {' and '.join(places) or 'nothing'}):"
            " create one with 'mailledger keygen' or set"
            f" {config.signing.key_env or 'signing.key_env'}"
        )
    absent = absent_local_store(config)
    store = build_store(config)
    # Only a holder of the log key signs checkpoints: read-only commands and writer-key
    # workers need neither the witnesses nor their credentials.
    relay = witness_relay(config, store) if writable and signing is not None else None
    read_from: ObjectStore = store
    if existing_store and not writable and absent is not None:
        read_from = _AbsentStore(config, absent)
    ledger = Ledger(
        read_from,
        config.origin,
        verifier_keys(config),
        signing if writable else None,
        writer_key=writer if writable else None,
        witness=relay,
    )
    return Runtime(config, store, ledger, relay)


def witness_relay(config: Config, store: ObjectStore) -> WitnessRelay | None:
    """The background delivery of signed checkpoints to the configured witnesses (the
    checkpoint store and the external tlog witnesses), or None when none is configured."""
    witness = checkpoint_witness(config)
    targets = [store_target(witness)] if witness is not None else []
    targets += [tlog_target(client) for client in tlog_witnesses(config)]
    if not targets:
        return None
    relay = WitnessRelay(targets, StoreLeaves(store), config.state_dir / WITNESS_STATUS_FILE)
    # a process that ends without closing its runtime still gives the witnesses a moment
    atexit.register(relay.close, witness_wait_seconds(config))
    return relay


def witness_wait_seconds(config: Config) -> float:
    """How long a command waits at its end for the witnesses to take its checkpoints."""
    timeouts = [w.timeout_seconds for w in config.ledger.tlog_witnesses]
    return 2 * max(timeouts, default=10.0) + 5.0


def checkpoint_witness(config: Config) -> CheckpointWitness | None:
    """Where every signed checkpoint is also kept (``ledger.witness_dir`` or
    ``ledger.witness_s3``), or None when neither is configured."""
    ledger = config.ledger
    if ledger.witness_dir is not None:
        return StoreWitness(LocalStore(ledger.witness_dir))
    s3 = ledger.witness_s3
    if s3 is None:
        return None
    settings = S3Settings(
        bucket=s3.bucket,
        prefix=s3.prefix,
        endpoint_url=s3.endpoint_url,
        region=s3.region,
        addressing_style=s3.addressing_style,
        checksum=s3.checksum,
        max_attempts=s3.max_attempts,
        lock_mode=s3.object_lock.mode,
        retain_days=s3.object_lock.retain_days,
        max_pool_connections=2,  # one checkpoint at a time
        first_version_wins=s3.first_version_wins,
    )
    what = "the witness bucket's credentials (ledger.witness_s3)"
    access = secret = None
    if s3.access_key_id_env is not None:
        access = read_secret(env=s3.access_key_id_env, file=None, what=what)
        secret = read_secret(env=s3.secret_access_key_env, file=None, what=what)
    # imported here, as open_store does: only a deployment on S3 pays for boto3
    from pipeline.storage.s3 import S3Store, make_client

    client = make_client(settings, access_key=access, secret_key=secret)
    return StoreWitness(S3Store(settings, client), require_retention=True)


def tlog_witnesses(config: Config) -> list[TlogWitnessClient]:
    """Clients of the configured external witnesses (``ledger.tlog_witnesses``)."""
    clients = []
    for index, witness in enumerate(config.ledger.tlog_witnesses):
        try:
            key = CosignerKey.from_text(witness.key)
        except CheckpointError as exc:
            raise ConfigError(f"ledger.tlog_witnesses[{index}].key: {exc}") from exc
        clients.append(
            TlogWitnessClient(TlogWitnessSettings(witness.url, key, witness.timeout_seconds))
        )
    return clients


# sqs.<region>.amazonaws.com (and sqs-fips.), or the legacy <region>.queue.amazonaws.com
_SQS_HOST = re.compile(
    r"^(?:sqs(?:-fips)?\.(?P<region>[a-z0-9-]+)|(?P<legacy>[a-z0-9-]+)\.queue)"
    r"\.amazonaws\.com(?:\.cn)?$"
)


def queue_region(queue_url: str) -> str | None:
    """The AWS region an SQS queue URL names in its host, or None (an emulator's URL)."""
    match = _SQS_HOST.match((urlsplit(queue_url).hostname or "").lower())
    if match is None:
        return None
    return match.group("region") or match.group("legacy")


def sqs_client(
    queue_url: str,
    region: str | None,
    endpoint_url: str | None,
    *,
    option: str = "--queue-url",
) -> SQSClient:
    """An SQS client for ``queue_url``.

    The region is ``region`` when given, else the AWS environment's (``AWS_REGION``,
    the profile), else the one an AWS queue URL names; without any, a
    :class:`ConfigError` naming ``option`` and how to set one (boto3 would only say
    "You must specify a region", from deep inside the first call).
    """
    # imported here: only the commands that read a queue pay for boto3
    import boto3

    from pipeline.emit.aws import aws_client

    chosen = region or boto3.session.Session().region_name or queue_region(queue_url)
    if chosen is None:
        raise ConfigError(
            f"{option} {queue_url}: no AWS region for the queue; pass --region, set"
            " AWS_REGION, or give the queue's AWS URL (https://sqs.REGION.amazonaws.com/...)"
        )
    return aws_client("sqs", chosen, endpoint_url)
