"""Redaction, property-based: for maps with organizations, ties and introductions of
every visibility, no value the audience may not see appears in any export format made
for it, dropped or anonymized: not in the text, the file names inside a folder or an
archive, nor the document metadata.

Every value is a unique token: ``qx<n><field>z<random>`` (``q``, ``x`` and ``z`` never
occur in the random part), so a token found in an export can only have come from the
record it was made for. Text is read out of each format by a second reader: the files
of a folder or a .zip (XLSX included: its sheets, shared strings and document
properties), pypdf for the PDF (text and metadata), the metadata of a PNG (its pixels
are not read).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition.domain.models import Introduction, Organization, Tie
from coalition.domain.privacy import can_see, view_for
from coalition.formats import EXPORT_FORMATS
from coalition.maps.services import init_map
from coalition.maps.transfer import export_map
from graph.sqlite.store import SQLiteStore

from .test_formats import FILE_NAMES, readable_text

SLOW = ("png", "svg", "pdf", "html")
FAST = tuple(f for f in EXPORT_FORMATS if f not in SLOW)
LEVELS = ("public", "coalition", "private")
MOVEMENTS = ("housing", "migrant", "disability", "queer_trans", "sex_work")
RANDOM = "bcdfghjklmnprstvw"  # no q, x or z: a token's prefix occurs only at its start


def token(draw, n: int, field: str) -> str:
    return f"qx{n}{field}z" + draw(st.text(alphabet=RANDOM, min_size=6, max_size=10))


@st.composite
def maps(draw) -> dict:
    """A map of 2 to 9 organizations with ties and introductions of every visibility."""
    count = draw(st.integers(min_value=2, max_value=9))
    organizations = []
    for n in range(count):
        organizations.append(
            Organization(
                id=token(draw, n, "i"),
                name=token(draw, n, "n").title(),
                movements=draw(st.lists(st.sampled_from(MOVEMENTS), min_size=1, max_size=2, unique=True)),
                community_led=draw(st.booleans()),
                region=token(draw, n, "r"),
                contact=token(draw, n, "c"),
                contact_visibility=draw(st.sampled_from(LEVELS)),
                access=token(draw, n, "a"),
                notes=token(draw, n, "o"),
                visibility=draw(st.sampled_from(LEVELS)),
                consent_to_introductions=draw(st.booleans()),
            ).to_record()
        )
    ids = [o["id"] for o in organizations]
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1]),
                 max_size=12, unique=True)
    )  # fmt: skip
    ties = [
        Tie(
            source=a, target=b, kind=draw(st.sampled_from(("coalition", "referral", "conflict", "funding"))),
            strength=draw(st.integers(1, 5)), visibility=draw(st.sampled_from(LEVELS)), notes=token(draw, n, "t"),
            until=draw(st.sampled_from((None, "2001-01-01"))),
        ).to_record()
        for n, (a, b) in enumerate(pairs)
    ]  # fmt: skip
    introductions = []
    for a, b in pairs[:4]:
        if any({a, b} == {i["a"], i["b"]} for i in introductions):
            continue
        named = draw(st.sampled_from(organizations))
        introductions.append(
            Introduction(
                a=a, b=b, broker=draw(st.sampled_from([None, *ids])), status=draw(st.sampled_from(("suggested", "planned"))),
                reasons=[f"met at {named['name']}'s space", "both work on housing"], note=f"ask {named['name']}",
            ).to_record()
        )  # fmt: skip
    return {"organizations": organizations, "ties": ties, "introductions": introductions}


def hidden_values(data: dict, audience: str) -> set[str]:
    """Every value of the map that this audience may not see."""
    shown = {o["id"] for o in data["organizations"] if can_see(audience, o["visibility"])}
    values = set()
    for org in data["organizations"]:
        if org["id"] not in shown:
            values |= {org["id"], org["name"], org["region"], org["contact"], org["access"], org["notes"]}
        elif not can_see(audience, org["contact_visibility"]):
            values.add(org["contact"])
    for tie in data["ties"]:
        if not (tie["source"] in shown and tie["target"] in shown and can_see(audience, tie["visibility"])):
            values.add(tie["notes"])
    return values


def check_exports(data: dict, audience: str, anonymize: bool, formats: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory(prefix="redaction-") as folder:
        root = Path(folder)
        store = SQLiteStore(root / "map.db")
        try:
            init_map(store)
            store.write_map(organizations=data["organizations"], ties=data["ties"])
            store.write_map(introductions=data["introductions"])
            secrets = {value.lower() for value in hidden_values(data, audience)}
            for fmt in formats:
                target = root / "out" / fmt / FILE_NAMES[fmt]
                export_map(store, target, fmt=fmt, audience=audience, anonymize=anonymize)
                names = " ".join(str(p.relative_to(root)) for p in (root / "out" / fmt).rglob("*"))
                text = (readable_text(target) + " " + names).lower()
                squeezed = re.sub(r"\s+", "", text)
                leaked = sorted(s for s in secrets if s in text or s in squeezed)
                assert not leaked, f"{fmt} for {audience} (anonymize={anonymize}) shows {leaked}"
        finally:
            store.close()


SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


@settings(max_examples=100, **SETTINGS)
@given(data=maps(), audience=st.sampled_from(("public", "coalition")), anonymize=st.booleans())
def test_no_hidden_value_reaches_a_data_export(data: dict, audience: str, anonymize: bool) -> None:
    check_exports(data, audience, anonymize, FAST)


@settings(max_examples=20, **SETTINGS)
@given(data=maps(), audience=st.sampled_from(("public", "coalition")), anonymize=st.booleans())
def test_no_hidden_value_reaches_a_map_or_a_brief(data: dict, audience: str, anonymize: bool) -> None:
    check_exports(data, audience, anonymize, SLOW)


def test_the_readers_see_what_a_private_export_holds(tmp_path: Path) -> None:
    """The property is only as good as its readers: each must find a value that is there."""
    org = Organization(
        id="qx0iztoken", name="Qx0Nzsecret", movements=["housing"], community_led=True, visibility="private"
    ).to_record()
    store = SQLiteStore(tmp_path / "map.db")
    init_map(store)
    store.write_map(organizations=[org])
    for fmt in EXPORT_FORMATS:
        if fmt == "png":  # pixels only
            continue
        target = tmp_path / fmt / FILE_NAMES[fmt]
        export_map(store, target, fmt=fmt, audience="private")
        assert "qx0nzsecret" in readable_text(target).lower(), fmt
    store.close()


def test_stand_ins_are_numbered_afresh_and_never_clash_with_a_real_id() -> None:
    hidden = [
        Organization(id=f"secret{n}", name=f"Secret {n}", movements=[movement], visibility="private").to_record()
        for n, movement in enumerate(MOVEMENTS)
    ]
    visible = Organization(id="hidden-1", name="A group really called hidden-1", movements=["housing"]).to_record()
    snapshot = {"movements": [], "organizations": [*hidden, visible], "ties": [], "introductions": []}
    first, second = (view_for(snapshot, "coalition", anonymize=True, seed=seed) for seed in (1, 2))
    stand_ins = [o["id"] for o in first["organizations"] if o["id"] != "hidden-1"]
    assert stand_ins == [f"hiddenx-{n}" for n in range(1, 6)]  # listed by number, not in the hidden order
    names = [[o["name"] for o in view["organizations"][1:]] for view in (first, second)]
    assert names[0] != names[1]  # another export, another numbering: stand-ins cannot be matched across
    assert re.fullmatch(r"an? [a-z_]+ group \(hiddenx-1\)", names[0][0])
    assert first["anonymized"] == {"organizations": 5, "ties": 0} and first["withheld"]["organizations"] == 5
