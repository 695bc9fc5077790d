"""Application factory: ``create_app()`` wires the database, the static files, pages and the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from kechuang import __version__
from kechuang.core.settings import get_settings
from kechuang.plan.service import PlanNotFound
from kechuang.store.db import make_engine, session_factory
from kechuang.web import (
    admin,
    api,
    auth,
    dashboard,
    headers,
    index_page,
    indicator_list,
    jobs,
    limits,
    monitoring_api,
    opendata,
    pages,
    portal,
    security,
    supervision_pages,
    workflow,
)
from kechuang.web import reports as reports_web
from kechuang.web.cache import PublicPageCache
from kechuang.web.schema_gate import SchemaGate

STATIC = Path(__file__).parent / "static"


def create_app(database_url: str | None = None) -> FastAPI:
    """Build the app on ``database_url`` (default: the configured one). The schema is not migrated here
    (``kechuang db upgrade`` does that, once, before the workers start): on a database that is not at the newest
    migration every request gets a 503 page saying to run it (``web/schema_gate.py``)."""
    url = database_url or get_settings().resolved_database_url()
    engine = make_engine(url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """The background-job consumer threads of this process (``KECHUANG_JOB_THREADS``), if any."""
        from kechuang.jobs.queue import start_consumer

        threads = get_settings().job_threads
        consumer = start_consumer(url, threads) if threads else None
        try:
            yield
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)

    app = FastAPI(lifespan=lifespan, title="kechuang API", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json",
                  description="Open API of the kechuang plan monitoring system: the plan, its tasks, "
                              "measures, indicators with observations, places and glossary.")
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    security.install(app)  # before the routers: every route gets the session and CSRF checks
    app.add_middleware(PublicPageCache, sessions=app.state.sessions)
    limits.install(app)  # after the other middleware, so it is the outermost: body limits before any parsing
    app.add_middleware(SchemaGate, engine=engine)  # outside the cache and the routes: nothing runs on an old schema
    headers.install(app)  # outermost of all: every response carries the security headers
    app.include_router(pages.router)
    app.include_router(api.router)
    for module in (auth, workflow, dashboard, supervision_pages, admin, monitoring_api):
        app.include_router(module.router)
    app.include_router(index_page.router)
    app.include_router(indicator_list.router)  # public: /monitoring/indicators
    app.include_router(portal.router)
    app.include_router(opendata.router)
    app.include_router(reports_web.router)  # plan office: generate evaluation and index reports
    app.include_router(jobs.router)  # the status of background jobs (report packs, index rebuilds)

    @app.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        """Swagger UI, served offline and started by a static script (no inline script)."""
        return pages.templates.TemplateResponse(request, "swagger.html", {"openapi_url": "/api/v1/openapi.json"})

    @app.exception_handler(PlanNotFound)
    def _not_found(request: Request, exc: PlanNotFound) -> HTMLResponse | JSONResponse:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"type": "about:blank", "title": "Not Found", "status": 404,
                                 "detail": str(exc)}, status_code=404, media_type="application/problem+json")
        return pages.not_found(request, str(exc))

    return app
