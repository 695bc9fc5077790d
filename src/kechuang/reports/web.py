"""Moved to :mod:`kechuang.web.reports` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.web.reports import (  # noqa: F401  # moved
    GENERATOR,
    MEDIA,
    accept,
    generate_report,
    pack_file,
    pack_page,
    reports_dir,
    reports_page,
    router,
)
