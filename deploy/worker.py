"""``make worker``: one Streamlit worker on its own, for a balancer on another machine.

    export STREAMLIT_SERVER_COOKIE_SECRET=…   # the same on every worker of the deployment
    export PLAB_DATABASE_URL=postgresql://plab:…@db.school.example:5432/plab
    .venv/bin/python deploy/worker.py --address 10.0.0.2 --port 8601
    .venv/bin/python deploy/worker.py --check --port 8601     # exit 0 if it answers

The balancer (``make classroom BACKENDS="10.0.0.2:8601 10.0.0.3:8601" WORKERS=0``, see
``deploy/classroom.py``) sends each browser to one worker and keeps it there by a cookie; a
browser whose worker went away reconnects to another one, which must accept its cookies (the
shared secret) and find its class (the shared database). So both come from the environment —
never the command line, where ``ps`` shows them to every user of the machine — and this refuses
to start without the secret, and checks the database (creating its tables on first use) before
it starts, so that a wrong URL is a message here rather than an error in a class.

The container image (``deploy/Dockerfile``) runs this same command. Once the checks pass, the
process becomes ``streamlit run app.py`` (exec: signals reach Streamlit itself).
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "deploy"))
sys.path.insert(0, str(REPO_ROOT))

from classroom import (  # noqa: E402
    DATA_DIR_ENV,
    DATABASE_ENV,
    HEALTH_PATH,
    SECRET_ENV,
    worker_command,
)

DEFAULT_PORT = 8601
# Streamlit would accept any string; a short one can be guessed, and then its signed cookies
# forged. 32 characters is what `secrets.token_hex(16)` gives.
MIN_SECRET_LENGTH = 32
SECRET_HINT = (f"Set {SECRET_ENV} in the environment to the secret every worker of this "
               "deployment shares, e.g. one made once with\n"
               "    python3 -c 'import secrets; print(secrets.token_hex(32))'")


def check_secret(environ=os.environ) -> str | None:
    """What is wrong with the shared cookie secret in ``environ``, or None if it will do."""
    secret = environ.get(SECRET_ENV, "")
    if not secret:
        return f"No cookie secret: a worker is one of several.\n{SECRET_HINT}"
    if len(secret) < MIN_SECRET_LENGTH:
        return (f"{SECRET_ENV} is {len(secret)} characters long; a guessable secret lets anyone "
                f"forge the workers' signed cookies. Use at least {MIN_SECRET_LENGTH}.\n"
                f"{SECRET_HINT}")
    return None


def check_database(environ=os.environ) -> tuple[str | None, str]:
    """Open the class store once (creating its tables on first use).

    Returns
    -------
    tuple
        ``(problem, description)``: the problem as a message, or None; and where the classes are
        kept (password hidden), for the log.
    """
    import pooling_live as pl

    url = environ.get(DATABASE_ENV) or None
    try:
        with pl.Store.open(url, data_dir=environ.get(DATA_DIR_ENV) or None) as store:
            where = store.url
            backend = store.backend
    except pl.LiveError as error:
        return f"The class database cannot be used: {error}", ""
    except Exception as error:  # a malformed URL, a driver that is not installed
        # the URL may hold a password: it is not repeated in the message
        detail = str(error).replace(url, "…") if url else str(error)
        return (f"The class database cannot be used: {DATABASE_ENV} is not a database URL that "
                f"works here ({type(error).__name__}: {detail})"), ""
    if backend == "sqlite":
        where += (f"  (this host's own file: set {DATABASE_ENV} to a PostgreSQL URL when "
                  "workers run on several hosts)")
    return None, where


def probe(port: int, host: str = "127.0.0.1") -> bool:
    """Whether the worker at ``host:port`` answers its health check (the image's HEALTHCHECK)."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{HEALTH_PATH}", timeout=4) as answer:
            return answer.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def build_parser() -> argparse.ArgumentParser:
    """The command line (the container image's CMD and HEALTHCHECK use it too)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="0.0.0.0",
                        help="the address to listen on (default 0.0.0.0: every interface, so "
                             "that the balancer's host can reach it; keep the port firewalled "
                             "to the balancer)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"the port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--check", action="store_true",
                        help="only ask a running worker on this port for its health; exit 0 "
                             "if it answers")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error("--port must be a number from 1 to 65535")
    if args.check:
        host = "127.0.0.1" if args.address in ("0.0.0.0", "::", "") else args.address
        return 0 if probe(args.port, host) else 1
    problem = check_secret()
    if problem is None:
        problem, where = check_database()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    print(f"Pooling Lab worker on {args.address}:{args.port}; classes in {where}", flush=True)
    command = worker_command(args.address, args.port)
    os.chdir(REPO_ROOT)
    os.execv(command[0], command)  # the environment goes with it; nothing secret in `command`
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
