"""Evaluation reports (评估报告): the mid-term and final evaluation packs and the annual index report.

Content is assembled as pure data from the services (``evaluation.py``, ``index_report.py``, with
``data.py`` and ``index_view.py`` reading the database) and rendered as Word, PDF, an Excel annex and HTML
(``render/``); ``service.py`` builds and writes a pack, ``adjustments.py`` proposes plan adjustments and
accepts them as a new plan version, ``web.py`` is the plan office's "generate report" page. See
docs/reports.md. This package module imports nothing, so the light parts (``i18n``) load cheaply.
"""
