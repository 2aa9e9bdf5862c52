"""docs/architecture.md states the same layers and entry catalogue as the code."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.entries import CATALOGUE
from tests.architecture.test_layers import LAYERS

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_the_documented_layer_order_is_the_tested_one() -> None:
    documented = []
    for line in _section("Layers").splitlines():
        if re.match(r"^\d+\. ", line):
            listed = re.sub(r"\([^)]*\)", "", line).split(":", 1)[-1]  # drop notes and label
            names = re.findall(r"`([a-z_]+)`", listed)
            documented.append(frozenset(n if n == "handlers" else f"pipeline.{n}" for n in names))
    assert documented == list(LAYERS)


def test_the_documented_catalogue_lists_every_type_with_its_version() -> None:
    documented: dict[str, int] = {}
    for line in _section("The entry catalogue").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`") or not cells[2].isdigit():
            continue
        first, *more = re.findall(r"`([a-z_.]+)`", cells[0])
        prefix = first.split(".", 1)[0]
        for name in (first, *(prefix + m if m.startswith(".") else m for m in more)):
            documented[name] = int(cells[2])
    assert documented == {name: model.VERSION for name, model in CATALOGUE.items()}
