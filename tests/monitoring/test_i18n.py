"""Every string the monitoring templates use exists in Chinese and English, none redefines a string of the
plan pages, and the pages render in English."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from kechuang.accounts.models import ORGANISATION_KINDS
from kechuang.core.access import Role
from kechuang.indicators.models import CONFIDENCES, SOURCE_KINDS
from kechuang.indicators.profiles import BINDINGS, FREQUENCIES, KINDS, METHODS, RULES
from kechuang.jobs.handlers import HANDLERS
from kechuang.jobs.models import STATES
from kechuang.progress import Rule, Stage, Standing
from kechuang.submissions.service import ACTIONS
from kechuang.web import i18n
from kechuang.web.i18n_monitoring import MONITORING_STRINGS
from tests.monitoring.web import client_as, web_app  # noqa: F401

TEMPLATES = Path(i18n.__file__).parent / "templates" / "monitoring"
DYNAMIC = {
    "action_": ACTIONS, "action_done_": ACTIONS, "comment_": ("return", "revise"),
    "choice_": FREQUENCIES + KINDS + BINDINGS + METHODS + RULES, "field_": ("frequency", "kind", "binding", "method",
                                                                           "rule"),
    "frequency_": FREQUENCIES, "kind_": KINDS, "method_": METHODS, "org_": ORGANISATION_KINDS,
    "role_": tuple(r.value for r in Role), "rule_": tuple(r.value for r in Rule), "source_": SOURCE_KINDS,
    "confidence_": CONFIDENCES,
    "stage_": tuple(s.value for s in Stage), "standing_": tuple(s.value for s in Standing),
    "history_": ("return", "request_revision", "approve_revision", "refuse_revision"),
    "account_done_": ("created", "updated", "reset"), "missing_": ("owner", "baseline", "target"),
    "qualifier_": ("more_than", "about"),
    "job_kind_": tuple(HANDLERS), "job_state_": STATES, "job_result_": tuple(HANDLERS),
}
INDIRECT = ("login_failed", "login_throttled", "not_a_number", "wrong_password", "forbidden", "not_found", "refused",
            "conflict", "bad_request", "validation_failed", "binding", "guiding")


def test_every_key_exists_in_both_languages_without_collisions() -> None:
    used: set[str] = set(INDIRECT)
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"t\('([a-z0-9_]+)'\)", text))
        for prefix in re.findall(r"t\('([a-z0-9_]+_)' \+", text):
            used |= {prefix + v for v in DYNAMIC[prefix]}
    missing = sorted(k for k in used if k not in i18n.STRINGS or set(i18n.STRINGS[k]) != {"zh", "en"})
    assert missing == []
    assert all(v["zh"] and v["en"] for v in MONITORING_STRINGS.values())
    clashes = sorted(k for k, v in MONITORING_STRINGS.items() if i18n.STRINGS[k] != v)
    assert clashes == [], "these keys are taken by other pages: rename them"


def test_pages_render_in_english(client_as: Callable[[str], tuple[TestClient, str]]) -> None:  # noqa: F811
    admin, _ = client_as("demo-admin")
    for path, expected in (("/dashboard?lang=en", "Plan monitoring dashboard"), ("/admin/accounts", "New account"),
                           ("/supervision", "Supervision"), ("/monitoring/indicators/IND_PATENTS_PER_10K", "Baseline"),
                           ("/admin/indicators/IND_HNTE", "Largest change against the previous period (%)")):
        page = admin.get(path)
        assert page.status_code == 200 and '<html lang="en">' in page.text and expected in page.text, path
    reporter, _ = client_as("demo-kw-reporter")
    page = reporter.get("/submissions/1?lang=en").text
    assert "Excel template for the period" in page and "Save draft" in page
