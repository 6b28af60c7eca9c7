"""``coalition encrypt``, ``decrypt`` and ``rekey``: one SQLite map file turned into a copy
with another key (or none), replacing the original only once the copy checks clean.

Steps, each of which leaves the original as it was if it fails or the process is killed:

1. open the map with its current key (a wrong one stops here), fold its write-ahead log
   into the file and close it; a log still there afterwards means another process (a
   running dashboard) has the map open, and a copy would miss what it writes next, so
   the conversion is refused;
2. remove the copies an earlier, killed conversion left behind, then copy the map page
   by page into a new private file in the same folder with SQLCipher's
   ``sqlcipher_export``;
3. open the copy with the new key and run ``coalition check`` on it (the database's own
   integrity check, then every record against the rules), and compare the counts;
4. rename the copy over the original (atomic on one file system) and sync the folder.

The plaintext file an ``encrypt`` replaces is unlinked, not wiped: on an SSD or a
journaling file system its old blocks may survive until reused. The README says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coalition.domain.errors import CoalitionError
from coalition.domain.settings import MIN_PASSPHRASE
from coalition.i18n import N_, _, ngettext
from coalition.maps.integrity import check
from coalition.maps.services import counts_in_words
from graph.sqlite.cipher import Passphrase, is_encrypted, rewrite
from graph.sqlite.store import SQLiteStore

__all__ = ["Conversion", "convert"]

#: What ``Conversion.summary`` says after each conversion, by the verb the CLI names it with.
SUMMARIES = {
    # TRANSLATORS: {counts} is "3 movements, 12 organizations, 20 ties, 0 introductions"
    "Encrypted": N_("Encrypted {path} ({counts}); checked clean before it replaced the original"),
    "Decrypted": N_("Decrypted {path} ({counts}); checked clean before it replaced the original"),
    "Re-encrypted": N_("Re-encrypted {path} ({counts}); checked clean before it replaced the original"),
}


@dataclass
class Conversion:
    """What a conversion did."""

    path: Path
    encrypted: bool
    counts: dict[str, int]

    def summary(self, verb: str) -> str:
        """One sentence for ``verb``, "Encrypted", "Decrypted" or "Re-encrypted", given in
        English: each is translated as a whole sentence."""
        if verb not in SUMMARIES:
            return _("{verb} {path} ({counts}); checked clean before it replaced the original").format(
                verb=verb, path=self.path, counts=counts_in_words(self.counts)
            )
        return _(SUMMARIES[verb]).format(path=self.path, counts=counts_in_words(self.counts))


def convert(path: Path, key: Passphrase | None, new_key: Passphrase | None) -> Conversion:
    """Replace the map file at ``path`` (opened with ``key``, None when plain) by a copy
    encrypted with ``new_key`` (None: plain), as the module docstring says."""
    path = Path(path)
    if not path.exists():
        raise CoalitionError(_("no map at {path}").format(path=path))
    if new_key is not None and len(new_key.reveal()) < MIN_PASSPHRASE:
        raise CoalitionError(
            ngettext(
                "the new passphrase is too short: use at least {count} character",
                "the new passphrase is too short: use at least {count} characters",
                MIN_PASSPHRASE,
            ).format(count=MIN_PASSPHRASE)
        )
    if key is None and is_encrypted(path):
        raise CoalitionError(
            _("{path} is already encrypted: `coalition rekey` changes its passphrase").format(path=path)
        )
    if key is not None and not is_encrypted(path):
        raise CoalitionError(_("{path} is not encrypted: `coalition encrypt` encrypts it").format(path=path))
    counts = _settle(path, key)
    rewrite(path, key, new_key, lambda copy: _check_copy(copy, new_key, counts))
    return Conversion(path, new_key is not None, counts)


def _settle(path: Path, key: Passphrase | None) -> dict[str, int]:
    """Open the map with its key, fold its log into the file and close it; refuse when
    another process still has it open. The map's counts, to compare the copy with."""
    store = SQLiteStore(path, passphrase=key)
    try:
        counts = store.counts()
        with store.transaction():
            pass  # opens the writer connection: migrations applied, file made private
        store.checkpoint()
    finally:
        store.close()
    if path.with_name(path.name + "-wal").exists():  # the last connection to close deletes the log
        raise CoalitionError(
            _("{path} is open in another process (a running dashboard?): stop it and try again").format(path=path)
        )
    return counts


def _check_copy(copy: Path, key: Passphrase | None, counts: dict[str, int]) -> None:
    store = SQLiteStore(copy, passphrase=key)
    try:
        problems = check(store)
        copied = store.counts()
    finally:
        store.close()
    if problems:
        raise CoalitionError(
            _("the converted copy did not check clean ({problem}); the map was not changed").format(problem=problems[0])
        )
    if copied != counts:
        raise CoalitionError(_("the converted copy does not hold the same records; the map was not changed"))
