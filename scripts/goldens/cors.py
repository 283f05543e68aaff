#!/usr/bin/env python3
"""CORS goldens: what Prefect 3.8.3's server answers cross-origin requests, computed with Starlette.

Writes test/goldens/cors.json, which test/lib/cors.golden.test.ts compares our port
(src/lib/cors.ts) against, case by case.

Refresh (from the repository root):

    scripts/python-goldens.sh            # all ports, or:
    STARLETTE_SRC=/path/to/starlette-checkout python3 scripts/goldens/cors.py

Prefect's server (prefect/server/api/server.py, create_app) wraps its whole app in Starlette's
CORSMiddleware built from three settings, each split on ",":
`allow_origins=cors_allowed_origins.split(",")`, `allow_methods=...`, `allow_headers=...` (all
default "*"), every other argument at Starlette's default. Prefect 3.8.3's uv.lock pins
starlette 1.3.1; its middleware is taken from STARLETTE_SRC (a checkout at that tag: the
directory holding `starlette/`), else downloaded from GitHub into a temporary directory.
Starlette needs anyio and, below Python 3.13, typing_extensions >= 4.10 (Debian bookworm's are
too old): when started by an interpreter without them, the script re-runs itself with the first
`python3` on PATH that has them (the machine's pyenv Python does, after `pip install anyio`).

Each case is {settings, request, expected}: `settings` the three values (absent = unset),
`request` a method and headers, `expected` the middleware's answer — `passed_through` when the
request reached the app (then only the CORS headers the middleware added to the app's answer),
else the status, body and headers of the middleware's own answer (a preflight).
Deterministic: fixed inputs.
"""
from __future__ import annotations

import os
import sys

# This directory holds datetime.py: keep it off the import path, or the standard library's
# `import datetime` would run that script.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import asyncio  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

STARLETTE_TAG = "1.3.1"
OUT = Path(__file__).resolve().parents[2] / "test" / "goldens" / "cors.json"


def _suitable() -> bool:
    try:
        import anyio  # noqa: F401

        if sys.version_info < (3, 13):
            from typing_extensions import TypeIs  # noqa: F401
        return True
    except Exception:
        return False


if not _suitable():
    if os.environ.get("CORS_GOLDENS_REEXEC"):
        sys.exit("cors.py: needs anyio (and typing_extensions >= 4.10 below Python 3.13)")
    for candidate in [shutil.which("python3"), os.path.expanduser("~/.pyenv/shims/python3")]:
        if candidate and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            env = {**os.environ, "CORS_GOLDENS_REEXEC": "1"}
            sys.exit(subprocess.call([candidate, __file__, *sys.argv[1:]], env=env))
    sys.exit("cors.py: no python3 with anyio and typing_extensions >= 4.10")


def _starlette_on_path() -> None:
    src = os.environ.get("STARLETTE_SRC")
    if not src:
        src = tempfile.mkdtemp(prefix="starlette-")
        url = f"https://github.com/Kludex/starlette/archive/refs/tags/{STARLETTE_TAG}.tar.gz"
        with urllib.request.urlopen(url) as response:
            data = response.read()
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(src, filter="data")
        src = os.path.join(src, f"starlette-{STARLETTE_TAG}")
    sys.path.insert(0, src)


_starlette_on_path()
import starlette  # noqa: E402
from starlette.middleware.cors import CORSMiddleware  # noqa: E402

if starlette.__version__ != STARLETTE_TAG:
    sys.exit(f"cors.py: expected starlette {STARLETTE_TAG}, found {starlette.__version__}")


# --- the app behind the middleware: answers 200 JSON, records that it was reached -------------


class App:
    def __init__(self) -> None:
        self.reached = False

    async def __call__(self, scope, receive, send) -> None:
        self.reached = True
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"true"})


def middleware(settings: dict, app: App) -> CORSMiddleware:
    # As Prefect's create_app builds it.
    return CORSMiddleware(
        app,
        allow_origins=settings.get("origins", "*").split(","),
        allow_methods=settings.get("methods", "*").split(","),
        allow_headers=settings.get("headers", "*").split(","),
    )


async def answer(settings: dict, request: dict) -> dict:
    app = App()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request["method"],
        "scheme": "http",
        "path": "/api/health",
        "raw_path": b"/api/health",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request["headers"].items()],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8787),
    }
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await middleware(settings, app)(scope, receive, send)
    start = messages[0]
    headers: dict[str, str] = {}
    for k, v in start.get("headers", []):
        name = k.decode("latin-1").lower()
        if name.startswith("access-control-") or name in ("vary", "content-type"):
            headers[name] = v.decode("latin-1")
    body = b"".join(m.get("body", b"") for m in messages[1:])
    if app.reached:
        headers.pop("content-type", None)
        return {"passed_through": True, "headers": headers}
    return {"passed_through": False, "status": start["status"], "body": body.decode(), "headers": headers}


# --- cases -------------------------------------------------------------------------------------

UI = "https://ui.example.com"
OTHER = "https://other.example.com"
EVIL = "https://evil.example.com"

SETTINGS = [
    {},
    {"origins": UI},
    {"origins": f"{UI},{OTHER}"},
    {"origins": f"{UI},*"},
    {"origins": f"{UI}, {OTHER}"},
    {"origins": ""},
    {"methods": "GET,POST"},
    {"methods": "GET, POST"},
    {"methods": "get"},
    {"methods": "GET,*"},
    {"methods": ""},
    {"headers": "x-prefect-ui"},
    {"headers": "X-Prefect-UI,Authorization"},
    {"headers": " x-spaced"},
    {"headers": ""},
    {"headers": "authorization,*"},
    {"origins": UI, "methods": "GET,POST,PATCH,DELETE", "headers": "x-prefect-ui,authorization,content-type"},
]


def preflight(origin: str, method: str, headers: str | None = None, **extra: str) -> dict:
    h = {"origin": origin, "access-control-request-method": method}
    if headers is not None:
        h["access-control-request-headers"] = headers
    h.update({k.replace("_", "-"): v for k, v in extra.items()})
    return {"method": "OPTIONS", "headers": h}


REQUESTS = [
    {"method": "GET", "headers": {}},
    {"method": "GET", "headers": {"origin": UI}},
    {"method": "GET", "headers": {"origin": OTHER}},
    {"method": "GET", "headers": {"origin": EVIL}},
    {"method": "GET", "headers": {"origin": "null"}},
    {"method": "POST", "headers": {"origin": UI, "content-type": "application/json"}},
    {"method": "DELETE", "headers": {"origin": EVIL}},
    {"method": "OPTIONS", "headers": {"origin": UI}},
    {"method": "OPTIONS", "headers": {"access-control-request-method": "GET"}},
    preflight(UI, "GET"),
    preflight(OTHER, "POST", "content-type"),
    preflight(EVIL, "GET"),
    preflight(EVIL, "TRACE", "x-unknown"),
    preflight(UI, "PATCH", "x-prefect-ui, content-type, authorization"),
    preflight(UI, "POST", "X-Prefect-UI"),
    preflight(UI, "POST", "Content-Type,Accept"),
    preflight(UI, "PUT", "x-spaced"),
    preflight(UI, "POST", ""),
    preflight(UI, "get"),
    preflight(UI, "DELETE", access_control_request_private_network="true"),
    preflight(UI, "", "authorization"),
    preflight("", "GET"),
]


async def main() -> None:
    cases = []
    for settings in SETTINGS:
        for request in REQUESTS:
            cases.append({"settings": settings, "request": request, "expected": await answer(settings, request)})
    OUT.write_text(json.dumps({"starlette": STARLETTE_TAG, "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
