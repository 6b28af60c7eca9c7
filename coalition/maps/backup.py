"""``coalition backup`` and ``coalition restore``: a whole map, its versions and its audit
trail, copied while the store stays online, optionally encrypted with a passphrase.

What a backup holds depends on the store:

- SQLite: a copy of the file made with SQLite's online backup API in one step, so it is
  one committed state even while others write. Unencrypted, it is itself a map file
  (``--db sqlite:///backup.db`` opens it).
- Neo4j: the coalition-map JSON document of the whole private map (movements,
  organizations, ties, introductions, with versions and timestamps) plus ``audit``,
  read as one consistent state. Unencrypted, ``coalition import`` reads it as a map.

With a passphrase the payload is compressed and sealed with AES-256-GCM; the key comes
from the passphrase through scrypt (n = 2**17, r = 8, p = 1) with a random salt, and a
random nonce is used once. The small header in front (magic, format version, KDF and
its parameters, payload kind, salt, nonce) is authenticated too, so any change to the
file, or a wrong passphrase, fails the same way, with one clear line. Layout::

    b"CMBK" | version 1 | kdf 1 (scrypt) | log2 n | r | p | payload (1 sqlite, 2 json)
    | compression (1 zlib) | salt (16 bytes) | nonce (12 bytes) | ciphertext + GCM tag

Restore reads either kind of backup into either kind of store: it validates the map
with the models, then replaces the store's content in one transaction (the map and its
audit trail become the backup's, plus one ``restore`` entry naming who restored it).
"""

from __future__ import annotations

import json
import os
import struct
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from coalition.domain.errors import CoalitionError, InvalidInput, Problem
from coalition.domain.settings import MIN_PASSPHRASE, check_passphrase_length, read_passphrase
from coalition.domain.validation import RawMap, RawRow, validate_map
from coalition.formats.files import atomic_path
from coalition.formats.json_format import FORMAT_NAME, FORMAT_VERSION
from coalition.i18n import N_, _, ngettext
from coalition.maps.services import counts_in_words, init_map
from graph.errors import StoreError
from graph.sqlite.image import SQLITE_MAGIC, read_image
from graph.store import AUDIT_ACTIONS, Store

__all__ = ["BackupReport", "RestoreReport", "backup", "restore", "read_passphrase", "sealed", "MIN_PASSPHRASE"]

MAGIC = b"CMBK"
HEADER = struct.Struct(">4sBBBBBBB16s12s")
FILE_VERSION = 1
KDF_SCRYPT = 1
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 17, 8, 1
PAYLOADS = {1: "sqlite", 2: "json"}
ZLIB = 1
#: Every way an encrypted backup fails to open says this, as ``_(WRONG)``.
WRONG = N_("wrong passphrase or the backup was changed")
KINDS = ("movements", "organizations", "ties", "introductions")


@dataclass
class BackupReport:
    """What a backup wrote."""

    path: Path
    payload: str
    encrypted: bool
    size: int
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        # TRANSLATORS: {payload} is sqlite or json; {counts} is "3 movements, 12 organizations, 20 ties"
        message = (
            ngettext(
                "Wrote encrypted {payload} backup {path} ({size:,} byte: {counts})",
                "Wrote encrypted {payload} backup {path} ({size:,} bytes: {counts})",
                self.size,
            )
            if self.encrypted
            else ngettext(
                "Wrote {payload} backup {path} ({size:,} byte: {counts})",
                "Wrote {payload} backup {path} ({size:,} bytes: {counts})",
                self.size,
            )
        )
        return message.format(payload=self.payload, path=self.path, size=self.size, counts=counts_in_words(self.counts))


@dataclass
class RestoreReport:
    """What a restore put in the store."""

    path: Path
    payload: str
    encrypted: bool
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        # TRANSLATORS: {counts} is "3 movements, 12 organizations, 20 ties, 0 introductions, 120 audit"
        return _("Restored {counts} from {path}").format(counts=counts_in_words(self.counts), path=self.path)


def sealed(path: Path) -> bool:
    """Whether the file at ``path`` is an encrypted backup (False when unreadable)."""
    try:
        with open(path, "rb") as file:
            return file.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def backup(store: Store, path: Path, passphrase: str | None = None) -> BackupReport:
    """Copy the whole store (map and audit trail) to ``path``, encrypted when a
    passphrase is given. The file appears whole or not at all, readable by its owner only.
    An encrypted map is never backed up in plain form."""
    path = Path(path)
    if passphrase is None and store.encrypted:
        raise CoalitionError(_("the map is encrypted, so its backup must be too: give a passphrase"))
    if passphrase is not None:
        check_passphrase_length(passphrase)
    if store.file is not None and path.resolve() == store.file.resolve():
        raise CoalitionError(
            _("a backup to {path} would overwrite the map itself: choose another path").format(path=path)
        )
    counts = store.counts()
    payload_kind, payload = store.backup_image()
    data = payload if passphrase is None else _seal(payload, payload_kind, passphrase)
    with atomic_path(path) as tmp:  # mkstemp: mode 0600
        tmp.write_bytes(data)
    return BackupReport(path, payload_kind, passphrase is not None, len(data), counts)


def restore(store: Store, path: Path, passphrase: str | None = None, actor: str | None = None) -> RestoreReport:
    """Replace the store's whole content with the backup at ``path``, in one transaction.

    Refuses, changing nothing, a wrong passphrase or a changed file (one line:
    "wrong passphrase or the backup was changed"), an encrypted backup without a
    passphrase, a passphrase for a backup that is not encrypted (it may have been
    swapped), and a map that does not validate.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CoalitionError(
            _("cannot read the backup {path}: {reason}").format(path=path, reason=e.strerror or e)
        ) from e
    encrypted = data.startswith(MAGIC)
    if encrypted:
        if passphrase is None:
            raise CoalitionError(
                _("{path} is an encrypted backup: give the passphrase (--passphrase-file)").format(path=path)
            )
        payload_kind, payload = _open(data, passphrase)
    else:
        if passphrase is not None:
            raise CoalitionError(
                _(
                    "{path} is not an encrypted backup although a passphrase was given; it may have been replaced "
                    "(restore it without a passphrase only if you trust where it came from)"
                ).format(path=path)
            )
        payload_kind, payload = _plain_kind(data, path), data
    raw = _read_sqlite(payload, path) if payload_kind == "sqlite" else _read_json(payload, path)
    content = _validated(raw, path)
    init_map(store)
    store.replace_all(content, actor=actor)
    counts = {kind: len(content[kind]) for kind in (*KINDS, "audit")}
    return RestoreReport(path, payload_kind, encrypted, counts)


# encryption --------------------------------------------------------------------------
def _key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(secret)


def _seal(payload: bytes, payload_kind: str, passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    kind = next(number for number, name in PAYLOADS.items() if name == payload_kind)
    header = HEADER.pack(
        MAGIC, FILE_VERSION, KDF_SCRYPT, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, kind, ZLIB, salt, nonce
    )  # fmt: skip
    key = _key(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    return header + AESGCM(key).encrypt(nonce, zlib.compress(payload, 6), header)


def _open(data: bytes, passphrase: str) -> tuple[str, bytes]:
    if len(data) < HEADER.size + 16:
        raise CoalitionError(_(WRONG))
    header = data[: HEADER.size]
    _magic, version, kdf, log2_n, r, p, kind, compression, salt, nonce = HEADER.unpack(header)
    # Parameters outside these bounds were never written by us: a changed header (and a
    # huge n would only make the key derivation eat memory before failing).
    if (version, kdf, compression) != (FILE_VERSION, KDF_SCRYPT, ZLIB) or kind not in PAYLOADS:
        raise CoalitionError(_(WRONG))
    if not (14 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4):
        raise CoalitionError(_(WRONG))
    try:
        sealed = AESGCM(_key(passphrase, salt, log2_n, r, p)).decrypt(nonce, data[HEADER.size :], header)
    except InvalidTag as e:
        raise CoalitionError(_(WRONG)) from e
    return PAYLOADS[kind], zlib.decompress(sealed)


def _plain_kind(data: bytes, path: Path) -> str:
    if data.startswith(SQLITE_MAGIC):
        return "sqlite"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "json"
    raise CoalitionError(_("{path} is not a Coalition Mapper backup").format(path=path))


# reading a backup ------------------------------------------------------------------
def _read_sqlite(payload: bytes, path: Path) -> dict[str, Any]:
    """The content of a SQLite backup, opened in memory only (never written to disk)."""
    try:
        return dict(read_image(payload))
    except StoreError as e:
        raise CoalitionError(_("{path} is not a readable map backup: {error}").format(path=path, error=e)) from e


def _read_json(payload: bytes, path: Path) -> dict[str, Any]:
    try:
        document = json.loads(payload.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CoalitionError(_("{path} is not a readable map backup: {error}").format(path=path, error=e)) from e
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise CoalitionError(
            _('{path} is not a map backup: expected "format": "{format}"').format(path=path, format=FORMAT_NAME)
        )
    if document.get("version") != FORMAT_VERSION:
        # the version as the file holds it: a number, or a text in quotes
        version = repr(document.get("version"))
        raise CoalitionError(
            _("{path}: coalition-map version {version} is not supported").format(path=path, version=version)
        )
    return document


def _validated(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    """The backup's map checked by the models as an import would be, and its audit trail
    checked for shape; any problem refuses the whole restore."""
    rows = RawMap()
    for kind in KINDS:
        items = raw.get(kind) or []
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            # TRANSLATORS: {kind} is a part of the file, as named in it: movements, organizations...
            raise InvalidInput([Problem(_("{kind} must be a list of objects").format(kind=kind), file=path.name)])
        getattr(rows, kind).extend(RawRow(item, file=f"{path.name} {kind}", row=n) for n, item in enumerate(items, 1))
    valid = validate_map(rows, known_movements=set())
    if valid.problems:
        raise InvalidInput(valid.problems)
    return {**valid.records(), "audit": _audit_entries(raw.get("audit") or [], path)}


def _audit_entries(entries: Any, path: Path) -> list[dict[str, Any]]:
    text_fields = ("at", "actor", "action", "kind", "key")
    seen: set[int] = set()
    if not isinstance(entries, list):
        entries = [None]
    for number, entry in enumerate(entries, 1):
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("seq"), int)
            and entry["seq"] not in seen
            and all(isinstance(entry.get(f), str) for f in text_fields)
            and entry["action"] in AUDIT_ACTIONS
            and all(entry.get(f) is None or isinstance(entry[f], dict) for f in ("before", "after"))
        )
        if not ok:
            raise InvalidInput([Problem(_("not a valid audit entry"), file=f"{path.name} audit", row=number)])
        seen.add(entry["seq"])
    return entries
