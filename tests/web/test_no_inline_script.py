"""No template carries inline JavaScript (a script without ``src``, an ``on…=`` handler, a ``javascript:``
link), so a Content-Security-Policy without 'unsafe-inline' leaves every page working; JSON data blocks
(``type="application/json"``) are data, not script."""

from __future__ import annotations

import re
from pathlib import Path

import kechuang

PACKAGE = Path(kechuang.__file__).resolve().parent
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def offences(text: str) -> list[str]:
    found = [m.group(0) for m in SCRIPT.finditer(text)
             if "src=" not in m.group(1) and 'type="application/json"' not in m.group(1)]
    found += [m.group(0) for m in HANDLER.finditer(text)]
    found += ["javascript:"] if "javascript:" in text else []
    return found


def test_no_template_has_inline_script() -> None:
    templates = sorted(PACKAGE.glob("**/templates/**/*.html")) + sorted(PACKAGE.glob("**/templates/**/*.j2"))
    assert len(templates) > 30
    bad = {str(p.relative_to(PACKAGE)): offences(p.read_text(encoding="utf-8")) for p in templates}
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_check_sees_inline_script() -> None:  # control
    assert offences("<script>alert(1)</script>") and offences('<a href="#" onclick="x()">')
    assert offences('<a href="javascript:history.back()">')
    assert not offences('<script src="/static/site.js" defer></script><script id="d" type="application/json">')
