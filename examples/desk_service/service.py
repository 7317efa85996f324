"""The HTTP side: Starlette routes over a :class:`~examples.desk_service.desk.Desk`, and errors as JSON.

Store calls block (SQLite, or PostgreSQL through psycopg), so every route hands its
work to Starlette's thread pool; the SQLite store keeps one connection per thread.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import sopflow
from examples.desk_service.desk import JSON, BadRequest, Desk
from sopflow.errors import (
    InvalidEventData,
    RequiredDataMissing,
    RuntimeRefusal,
    SessionNotFound,
    SnapshotError,
    StaleSession,
    StoreError,
    UnknownProcedure,
    UsageError,
)
from sopflow.store import SQLiteStore, Store

DB_ENV = "SOPFLOW_DESK_DB"
"""The environment variable naming the SQLite file when ``create_app`` is given none."""
DEFAULT_DB = "desk.db"


def create_app(
    db: str | Path | None = None,
    *,
    clock: sopflow.Clock | None = None,
    library: sopflow.Library | None = None,
    store: Store | None = None,
) -> Starlette:
    """The front-desk service.

    ``db`` is the SQLite file (default: ``$SOPFLOW_DESK_DB``, else ``desk.db``); pass
    ``store`` instead to keep sessions elsewhere (a ``PostgresStore``). ``clock`` is the
    system clock unless a test or a training room gives a ``ManualClock``; ``library`` is
    the bundled one unless given. The app closes its store when the server shuts down.
    """
    if store is None:
        library = library or sopflow.load_library()
        store = SQLiteStore(library, db or os.environ.get(DB_ENV) or DEFAULT_DB)
    desk = Desk(store, clock or sopflow.SystemClock())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        desk.store.close()

    async def start(request: Request) -> Response:
        shown = await run_in_threadpool(desk.start, await body_of(request))
        return JSONResponse(shown, status_code=201, headers={"Location": f"/sessions/{shown['id']}"})

    async def show(request: Request) -> Response:
        lang = request.query_params.get("lang") or None
        return JSONResponse(await run_in_threadpool(desk.show, request.path_params["id"], lang))

    async def fire(request: Request) -> Response:
        body = await body_of(request)
        return JSONResponse(await run_in_threadpool(desk.fire, request.path_params["id"], body))

    async def sessions(request: Request) -> Response:
        if request.method == "POST":
            return await start(request)
        return JSONResponse(await run_in_threadpool(desk.sessions, dict(request.query_params)))

    async def journal(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(desk.journal, request.path_params["id"]))

    async def due(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(desk.due))

    async def run_due(request: Request) -> Response:
        body = await body_of(request, empty_ok=True)
        return JSONResponse(await run_in_threadpool(desk.run_due, body))

    app = Starlette(
        routes=[
            Route("/sessions", sessions, methods=["GET", "POST"]),
            Route("/sessions/{id}", show, methods=["GET"]),
            Route("/sessions/{id}/events", fire, methods=["POST"]),
            Route("/sessions/{id}/journal", journal, methods=["GET"]),
            Route("/due", due, methods=["GET"]),
            Route("/due/run", run_due, methods=["POST"]),
        ],
        exception_handlers={
            sopflow.SopflowError: refused,
            BadRequest: bad_request,
            HTTPException: http_error,
        },
        lifespan=lifespan,
    )
    app.state.desk = desk
    return app


async def body_of(request: Request, *, empty_ok: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip() and empty_ok:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested past Python's stack: no body a desk sends
        raise BadRequest("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


STATUS: list[tuple[type[sopflow.SopflowError], int]] = [
    (SessionNotFound, 404),
    (StaleSession, 409),  # store.fire holds the row while it steps, so only a load-then-commit host meets it
    (InvalidEventData, 422),
    (RequiredDataMissing, 422),
    (RuntimeRefusal, 409),
    (UnknownProcedure, 422),
    (UsageError, 400),
    (StoreError, 503),  # the database is busy or unavailable
    (SnapshotError, 500),  # a stored session that no longer fits the library (a version was removed)
]
"""The HTTP status of each sopflow error, first match wins; anything else is a 500."""


def status_of(exc: sopflow.SopflowError) -> int:
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 500)


def refused(request: Request, exc: Exception) -> Response:
    """A sopflow error as JSON: its class, its message, and for a refusal what is allowed now.

    No sopflow message quotes a private value (refusals and snapshot errors name
    fields, never their values), so messages are safe to show.
    """
    assert isinstance(exc, sopflow.SopflowError)
    answer: JSON = {"error": type(exc).__name__, "message": getattr(exc, "message", str(exc))}
    if isinstance(exc, RuntimeRefusal):
        answer |= {"state": exc.state, "event": exc.event, "allowed": list(exc.allowed)}
    elif isinstance(exc, StoreError) and exc.session_id is not None:
        answer["id"] = exc.session_id
    return JSONResponse(answer, status_code=status_of(exc))


def bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadRequest)
    return JSONResponse({"error": "BadRequest", "message": exc.message}, status_code=400)


def http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer JSON like everything else."""
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": "HTTPError", "message": exc.detail}, status_code=exc.status_code, headers=exc.headers)
