"""The ``Content-Disposition`` of a download, safe for any file name (RFC 6266 with RFC 8187 ``filename*``).

A name is never pasted into the header as it is: a ``"`` would end the quoted name and let the rest inject
parameters (a second ``filename=``), and a non-ASCII name (a Chinese department code) cannot be sent in a
latin-1 header at all. The header carries an ASCII fallback — every character that is not printable ASCII,
a quote, a backslash or a path separator replaced by ``_`` — and the exact name UTF-8 percent-encoded.
"""

from __future__ import annotations

from urllib.parse import quote


def ascii_fallback(filename: str) -> str:
    """The name with every unsafe character replaced by ``_`` (``download`` if nothing is left)."""
    kept = "".join(c if " " <= c <= "~" and c not in '"\\/;' else "_" for c in filename).strip()
    return kept or "download"


def attachment(filename: str) -> dict[str, str]:
    """Headers making a response a download named ``filename``."""
    return {"Content-Disposition": f"attachment; filename=\"{ascii_fallback(filename)}\"; "
                                   f"filename*=UTF-8''{quote(filename, safe='')}"}
