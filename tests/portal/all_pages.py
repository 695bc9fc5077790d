"""Every HTML page of the app, enumerated from its routes and its database: each GET route that renders a
page, with every id its path parameter takes (every task, measure, indicator, project, open-data table, index
run, submission, 督办 item, reporting period). The crawls (language, 390 px, axe) walk these lists, so a new
page route, or a new task, is crawled without anyone adding it.

A route is public when an anonymous visitor gets the page; the other page routes are crawled for each role
(answering 200, or 403/404 where the role may not see it — those pages must speak the page language too)."""

from __future__ import annotations

import re
from functools import cache

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import create_engine, text

FILES = re.compile(r"\.\{fmt\}$|\.(xlsx|json|zip|geojson|txt|svg)$|/files/|/evidence/|^/api/|^/static|^/docs$")
"""Routes that answer with a file, JSON or the API explorer (not a page of the app's templates)."""
PUBLIC_ROUTES = {"/", "/basis", "/goals", "/glossary", "/places", "/map", "/projects", "/coverage", "/opinions",
                 "/opendata", "/opendata/{name}", "/versions", "/index", "/index/runs/{run_id}", "/tasks/{code}",
                 "/measures/{code}", "/monitoring/indicators", "/monitoring/indicators/{code}",
                 "/monitoring/indicators/{code}/embed",
                 "/opinions/{kind}/{code}", "/login"}
"""The page routes an anonymous visitor reaches (checked: each answers 200 without an account)."""
NO_INSTANCES = {"/reports/{pack_id}", "/jobs/{job_id}"}
"""Page routes with no instance in a fresh demo install (report packs are made by a button, minutes each, and
so are the background jobs that make them)."""
FIXED = {"/reports/narratives/{kind}/{year}": ["/reports/narratives/midterm/2023"],
         "/reports/narratives/{kind}/{year}/{section}": ["/reports/narratives/midterm/2023/summary"]}
"""Page routes with several parameters: their pages in a demo install (the mid-term evaluation's narratives)."""


def page_routes(app: FastAPI) -> list[str]:
    """The path of every GET route that renders an HTML page."""
    out = {r.path for r in iter_route_contexts(app.routes)
           if isinstance(r.original_route, APIRoute) and "GET" in (r.methods or set()) and not FILES.search(r.path)}
    return sorted(out)


@cache
def _ids(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    with engine.connect() as c:
        version = c.scalar(text("SELECT max(id) FROM plan_version"))

        def codes(kind: str) -> list[str]:
            return list(c.scalars(text("SELECT code FROM plan_element WHERE version_id = :v AND kind = :k "
                                       "ORDER BY id"), {"v": version, "k": kind}))

        ids = {"task": codes("task"), "measure": codes("measure"), "project": codes("project"),
               "indicator": list(c.scalars(text("SELECT code FROM indicator ORDER BY code"))),
               "run": [str(i) for i in c.scalars(text("SELECT id FROM index_run ORDER BY id"))],
               "submission": [str(i) for i in c.scalars(text("SELECT id FROM submission ORDER BY id"))],
               "item": [str(i) for i in c.scalars(text("SELECT id FROM supervision_item ORDER BY id"))],
               "period": list(c.scalars(text("SELECT code FROM reporting_period ORDER BY code")))}
    engine.dispose()
    return ids


def expand(route: str, url: str) -> list[str]:
    """Every path of ``route`` in the database at ``url`` (a route without parameters is its own path)."""
    from kechuang.opendata.tables import BUILDERS

    ids = _ids(url)
    if "{" not in route:
        return [route]
    if route == "/opinions/{kind}/{code}":
        return [f"/opinions/{kind}/{code}" for kind in ("task", "measure", "project", "indicator")
                for code in ids[kind]]
    filled = {"/tasks/{code}": ids["task"], "/measures/{code}": ids["measure"],
              "/monitoring/indicators/{code}": ids["indicator"],
              "/monitoring/indicators/{code}/embed": ids["indicator"], "/admin/indicators/{code}": ids["indicator"],
              "/opendata/{name}": list(BUILDERS), "/index/runs/{run_id}": ids["run"],
              "/submissions/{submission_id}": ids["submission"], "/supervision/{item_id}": ids["item"],
              "/admin/periods/{code}/completeness": ids["period"]}
    if route in NO_INSTANCES:
        return []
    if route in FIXED:
        return FIXED[route]
    if route not in filled:
        raise AssertionError(f"the page route {route} is not enumerated: add its ids here")
    name = re.search(r"\{\w+\}", route)
    assert name is not None
    return [route.replace(name.group(0), value) for value in filled[route]]


def public_pages(app: FastAPI, url: str) -> list[str]:
    """Every public page with every id."""
    return [p for r in page_routes(app) if r in PUBLIC_ROUTES for p in expand(r, url)]


def account_pages(app: FastAPI, url: str) -> list[str]:
    """Every page behind the login, with every id (each role gets each: its own pages, or a 403/404)."""
    return [p for r in page_routes(app) if r not in PUBLIC_ROUTES for p in expand(r, url)]
