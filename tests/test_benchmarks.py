"""The benchmark harness writes its section of docs/benchmarks.md between the markers, leaving the rest."""

from __future__ import annotations

from pathlib import Path

from benchmarks.run import END, START, machine, write_section

from tests.conftest import REPO


def test_the_generated_section_replaces_only_its_markers(tmp_path: Path) -> None:
    doc = tmp_path / "b.md"
    doc.write_text(f"# B\n\nbefore\n\n{START}\nold figures\n{END}\n\nafter\n", encoding="utf-8")
    write_section(doc, f"{START}\nnew figures\n{END}")
    assert doc.read_text(encoding="utf-8") == f"# B\n\nbefore\n\n{START}\nnew figures\n{END}\n\nafter\n"


def test_the_docs_have_the_markers_and_the_machine_line_names_the_hardware() -> None:
    text = (REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1 and text.index(START) < text.index(END)
    line = machine()
    assert "cores" in line and "Python 3.11" in line and "pyarrow" in line


def test_the_logged_in_pages_section_has_its_own_markers_after_the_index_section(tmp_path: Path) -> None:
    from benchmarks import web

    text = (REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert text.count(web.START) == 1 and text.count(web.END) == 1 and text.index(END) < text.index(web.START)
    doc = tmp_path / "b.md"
    doc.write_text(f"{START}\nindex\n{END}\n{web.START}\nold\n{web.END}\n", encoding="utf-8")
    write_section(doc, f"{web.START}\nnew\n{web.END}", web.START, web.END)
    assert doc.read_text(encoding="utf-8") == f"{START}\nindex\n{END}\n{web.START}\nnew\n{web.END}\n"
