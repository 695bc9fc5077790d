"""The benchmark harness writes its section of docs/benchmarks.md between the markers, leaving the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.coinr import BUILD_R, SA_R, coinr_version
from benchmarks.run import END, START, machine, write_section

from kechuang.index.spec import example_spec
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


def test_without_rscript_the_harness_says_that_r_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without Rscript
    version, why = coinr_version()
    assert version is None and "R is not installed" in why and "make bench-deps" in why


def test_the_coinr_programs_run_the_steps_of_the_asem_spec() -> None:
    spec = example_spec("asem_variant_a")
    steps = {step.step: step for step in spec.steps}
    assert [s.step for s in spec.steps] == ["denominate", "impute", "screen", "treat", "normalise", "weights",
                                            "aggregate"]
    impute, screen, treat = steps["impute"], steps["screen"], steps["treat"]
    for text in (BUILD_R, SA_R):
        order = [text.index(call) for call in ("Denominate(", "Impute(", "Screen(", "Treat(", "Normalise(",
                                               "Aggregate(")]
        assert order == sorted(order)
        assert f'f_i = "{impute.method}", use_group = "{impute.params["group"]}"' in text
        assert f'dat_thresh = {screen.params["dat_thresh"]}, unit_screen = "{screen.method}"' in text
        assert f"winmax = {treat.params['winmax']}" in text
        assert 'f_n = "n_minmax", f_n_para = list(c(0, 100))' in text and 'f_ag = "a_amean"' in text
    assert 'SA_type = "SA"' in SA_R and "Nboot = 100" in SA_R
