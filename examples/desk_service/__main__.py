"""Serve the front-desk service: ``python -m examples.desk_service [--db desk.db] [--host H] [--port P]``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from examples.desk_service.service import DB_ENV, DEFAULT_DB, create_app

HINT = 'serving needs an ASGI server: pip install uvicorn (or run any ASGI server on "examples.desk_service:app")'


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.desk_service", description=__doc__.splitlines()[0])
    default = os.environ.get(DB_ENV) or DEFAULT_DB
    parser.add_argument("--db", default=default, help=f"the SQLite file (default: ${DB_ENV}, else {DEFAULT_DB})")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    try:
        import uvicorn
    except ImportError:
        print(HINT, file=sys.stderr)
        return 2
    uvicorn.run(create_app(args.db), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
