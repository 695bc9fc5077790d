"""Nothing outside the district bundles names a district: a grep over ``src/kechuang`` (except ``data/``) for the
default district's names and codes finds nothing — code, templates, scripts, docstrings and comments alike."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO

SRC = REPO / "src" / "kechuang"
DATA = SRC / "data"
#: the district's name in Chinese, in English (any case), its index codes and its spatial-structure code
LITERALS = re.compile(r"杨浦|(?i:yangpu)|YPI|IND_SCI|20\+4\+4\+1")


def hits(root: Path, skip: Path | None = None, base: Path = REPO) -> list[str]:
    """``file:line: text`` of every line under ``root`` (text files; ``skip`` and caches left out) that has one
    of the literals."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or (skip is not None and path.is_relative_to(skip)):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if LITERALS.search(line):
                found.append(f"{path.relative_to(base)}:{number}: {line.strip()[:120]}")
    return found


def test_no_district_literal_in_the_source_outside_the_bundles() -> None:
    assert hits(SRC, skip=DATA) == []


def test_the_grep_finds_the_literals_where_they_belong_and_in_any_new_file(tmp_path: Path) -> None:
    in_bundle = hits(DATA)
    assert any(h.startswith("src/kechuang/data/yangpu/plan.yaml:") and "杨浦区" in h for h in in_bundle)
    assert any("bundle.yaml" in h for h in in_bundle)
    probe = tmp_path / "probe"
    probe.mkdir()
    for name, line in (("a.py", '"""The YANGPU plan."""'), ("b.html", "<td>杨浦</td>"), ("c.js", "code = 'YPI';"),
                       ("d.py", "IND_SCI_GROWTH"), ("e.md", "the “20+4+4+1” term"), ("f.py", "plain code")):
        (probe / name).write_text(line + "\n", encoding="utf-8")
    assert [h.split(":")[0] for h in hits(probe, base=probe)] == ["a.py", "b.html", "c.js", "d.py", "e.md"]
