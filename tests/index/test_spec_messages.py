"""Every message the spec formats give stays as it was when they moved to pydantic models.

``data/spec_messages.json.gz`` holds the shipped example specs (pipeline and uncertainty) of that time and
the outcome the hand-written validators gave for each of 2,209 mutations generated below from them: each
value of each path replaced by one of ``BAD``, each key removed, an unknown key added. The outcome is the
error's text (file, YAML path, reason) or, for a mutation that is still a valid spec, its resolved form. The
pydantic models must give exactly the same outcomes, except for the 24 mutations (a list or a mapping given as
a method name) that made the old validators crash with a TypeError: they now get the "unknown … method"
message like any other wrong name.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kechuang.index.errors import SpecError
from kechuang.index.spec import parse_spec
from kechuang.index.uncertainty_spec import parse_ua_spec

GOLDEN = Path(__file__).parent / "data" / "spec_messages.json.gz"
BAD: list[Any] = [None, -1, 0, 1.5, "x", "", [], [1], [1, 2], {}, {"a": 1}, True, "none", "1/3", [0, 100], 2, 7,
                  "a_amean"]


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _paths(value, prefix + (i,))


def _parent(obj: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        obj = obj[key]
    return obj


def _outcome(parse: Callable[[Any, str], Any], obj: Any) -> str:
    try:
        return "OK " + json.dumps(parse(obj, "s.yaml").to_dict(), sort_keys=True, default=str)
    except SpecError as exc:
        return "ERR " + str(exc)
    except Exception as exc:  # an exception that is not a SpecError is itself a regression
        return "EXC " + type(exc).__name__ + " " + str(exc)[:200]


def _mutations(doc: dict[str, Any]) -> Iterator[Any]:
    yield doc
    for path in list(_paths(doc))[1:]:
        for value in BAD:
            m = copy.deepcopy(doc)
            _parent(m, path)[path[-1]] = value
            yield m
        m = copy.deepcopy(doc)
        del _parent(m, path)[path[-1]]
        yield m
        if isinstance(path[-1], str):
            m = copy.deepcopy(doc)
            _parent(m, path)["bogus_key"] = 1
            yield m


def outcomes(golden: dict[str, Any]) -> list[str]:
    out = []
    for parse, docs in ((parse_spec, golden["specs"]), (parse_ua_spec, golden["ua_specs"])):
        for doc in docs:
            out.extend(_outcome(parse, m) for m in _mutations(doc))
    return out


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return json.loads(gzip.decompress(GOLDEN.read_bytes()))


@pytest.fixture(scope="module")
def now(golden: dict[str, Any]) -> list[str]:
    return outcomes(golden)


def test_every_mutation_gives_the_message_it_gave_before(golden: dict[str, Any], now: list[str]) -> None:
    assert len(now) == len(golden["outcomes"]) == 2209
    changed = [(i, old, new) for i, (old, new) in enumerate(zip(golden["outcomes"], now, strict=True)) if old != new]
    assert changed == []
    errors = [o for o in now if o.startswith("ERR ")]
    assert len(errors) > 1500 and not any(o.startswith("EXC ") for o in now)
    assert "ERR s.yaml steps[3].params.winmax: must be an integer >= 0 or null, got -1" in errors


def test_a_changed_message_is_caught(golden: dict[str, Any], now: list[str]) -> None:
    """Control: one reworded message in the golden outcomes makes the comparison differ."""
    planted = copy.deepcopy(golden)
    i = next(i for i, o in enumerate(planted["outcomes"]) if o.startswith("ERR "))
    planted["outcomes"][i] = planted["outcomes"][i] + " (reworded)"
    assert [o for o, n in zip(planted["outcomes"], now, strict=True) if o != n] == [
        planted["outcomes"][i]
    ]
