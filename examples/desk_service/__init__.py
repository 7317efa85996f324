"""A front-desk service over HTTP: sessions kept in SQLite, driven through JSON endpoints.

    python -m examples.desk_service --db desk.db        # serves with uvicorn, if installed
    uvicorn examples.desk_service:app                   # the same; the file from $SOPFLOW_DESK_DB

``create_app(db, clock=..., store=...)`` builds the app (a Starlette application);
``app`` is the one built from the environment, made the first time it is asked for,
so importing this package opens no database. Endpoints: docs/hosting.md, "A web host".
"""

from __future__ import annotations

from typing import Any

from examples.desk_service.desk import BadRequest, Desk
from examples.desk_service.service import DB_ENV, DEFAULT_DB, create_app

__all__ = ["DB_ENV", "DEFAULT_DB", "BadRequest", "Desk", "app", "create_app"]

_built: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    """``app``, built from the environment on first use (what ``uvicorn examples.desk_service:app`` asks for)."""
    if name == "app":
        if "app" not in _built:
            _built["app"] = create_app()
        return _built["app"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
