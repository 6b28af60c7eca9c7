"""Moving maps in and out: import a file (all or nothing), export a view for an
audience, and load the bundled demo coalition."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coalition.errors import CoalitionError, InvalidInput, Problem
from coalition.formats import detect, module_for
from coalition.privacy import read_view
from coalition.services import init_map
from coalition.validation import validate_map
from graph.store import Store

__all__ = ["ImportReport", "ExportResult", "import_map", "export_map", "load_demo", "migrate", "DEMO_PATH"]

DEMO_PATH = Path(__file__).resolve().parent.parent / "seeds" / "demo"


@dataclass
class ImportReport:
    """What an import found and did. ``written`` is False for a dry run."""

    path: str
    format: str
    counts: dict[str, int] = field(default_factory=dict)
    new_organizations: int = 0
    updated_organizations: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    def summary(self) -> str:
        parts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items() if n)
        verb = "imported" if self.written else "would import"
        return (
            f"{verb} {parts or 'nothing'} from {self.path} "
            f"({self.new_organizations} new, {self.updated_organizations} updated organizations)"
        )


@dataclass
class ExportResult:
    """Where an export went, for whom, and what it left out (counts only)."""

    paths: list[Path]
    format: str
    audience: str
    withheld: dict[str, int]


def import_map(store: Store, path: Path, fmt: str | None = None, dry_run: bool = False) -> ImportReport:
    """Validate the whole file, then write it in one transaction, or nothing at all.

    Raises ``InvalidInput`` listing every problem (up to a cap) unless ``dry_run``,
    which returns the report with its problems and writes nothing.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidInput([Problem("no such file or folder", file=str(path))])
    fmt = fmt or detect(path)
    raw = module_for(fmt, path).read(path)
    current = store.snapshot("private")
    known_orgs = {o["id"] for o in current["organizations"]}
    valid = validate_map(raw, {m["id"] for m in current["movements"]}, known_orgs)
    records = valid.records()
    report = ImportReport(
        path=str(path),
        format=fmt,
        counts={kind: len(items) for kind, items in records.items()},
        new_organizations=sum(1 for o in valid.organizations if o.id not in known_orgs),
        updated_organizations=sum(1 for o in valid.organizations if o.id in known_orgs),
        problems=valid.problems,
    )
    if dry_run:
        return report
    if valid.problems:
        raise InvalidInput(valid.problems)
    store.write_map(**records)
    report.written = True
    return report


def export_map(store: Store, path: Path, fmt: str | None = None, audience: str = "coalition") -> ExportResult:
    """Write the map as the audience may see it; the file appears whole or not at all."""
    path = Path(path)
    fmt = fmt or detect(path, for_export=True)
    module = module_for(fmt, path)
    if not hasattr(module, "write"):
        raise InvalidInput([Problem(f"{fmt} is an import format only", file=path.name)])
    view = read_view(store, audience)
    paths = module.write(view, path)
    return ExportResult(paths=paths, format=fmt, audience=audience, withheld=view["withheld"])


def load_demo(store: Store) -> ImportReport:
    """Set up the store and load the fictional demo coalition from ``seeds/demo``."""
    init_map(store)
    return import_map(store, DEMO_PATH, fmt="csv")


def migrate(source: Store, destination: Store) -> dict[str, int]:
    """Copy a whole map (movements, organizations, ties, introductions, with their
    versions and timestamps) into an empty store, in one transaction."""
    init_map(destination)
    held = destination.counts()["organizations"]
    if held:
        raise CoalitionError(
            f"{destination.describe()} already holds {held} organizations; migrate copies into an empty store only"
        )
    snapshot = source.snapshot("private")
    destination.write_map(
        movements=snapshot["movements"],
        organizations=snapshot["organizations"],
        ties=snapshot["ties"],
        introductions=snapshot["introductions"],
    )
    return {kind: len(snapshot[kind]) for kind in ("movements", "organizations", "ties", "introductions")}
