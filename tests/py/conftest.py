"""Fixtures: the hexwatch binary, a running server loaded with the reference
data set, and a small HTTP client (standard library only).

HEXWATCH_BIN names the binary to test; by default target/debug/hexwatch,
built with `cargo build --bin hexwatch` when missing. With
HEXWATCH_TEST_DB=postgres every server gets a fresh database on the
PostgreSQL named by HEXWATCH_TEST_PG_URL (scripts/test.sh starts one with
scripts/pg-temp.sh) instead of its own SQLite file.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hexref  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BATCH = 5_000            # records per POST (the server takes up to 20 000)
START_TIMEOUT = 90.0     # seconds for /health to answer after start
HTTP_TIMEOUT = 300.0


def _binary() -> Path:
    env = os.environ.get("HEXWATCH_BIN")
    if env:
        p = Path(env).resolve()
        if not p.is_file():
            pytest.exit(f"HEXWATCH_BIN={env} is not a file", returncode=2)
        return p
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    p = (target if target.is_absolute() else REPO / target) / "debug" / "hexwatch"
    if not p.is_file():
        r = subprocess.run(["cargo", "build", "--bin", "hexwatch"], cwd=REPO)
        if r.returncode != 0 or not p.is_file():
            pytest.exit("cargo build --bin hexwatch failed", returncode=2)
    return p


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def __repr__(self):
        return f"<{self.status} {self.content_type} {self.body[:300]!r}>"


_RUNNING: set = set()
_DB_COUNTER = iter(range(1_000_000))


def fresh_db_url(workdir: Path) -> str:
    """A database for one server: a SQLite file, or a new PostgreSQL database."""
    if os.environ.get("HEXWATCH_TEST_DB") != "postgres":
        return f"sqlite://{workdir / 'hexwatch.db'}"
    admin = os.environ.get("HEXWATCH_TEST_PG_URL")
    if not admin:
        pytest.exit("HEXWATCH_TEST_DB=postgres needs HEXWATCH_TEST_PG_URL", returncode=2)
    name = f"py{os.getpid()}_{next(_DB_COUNTER)}"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    return admin.rsplit("/", 1)[0] + "/" + name


@atexit.register
def _kill_leftovers() -> None:
    """Last resort should pytest exit without running fixture teardown."""
    for p in list(_RUNNING):
        if p.poll() is None:
            p.kill()


class Server:
    """One hexwatch process on a loopback port with its own SQLite file."""

    def __init__(self, binary: Path, workdir: Path, tz: str = hexref.TZ_NAME):
        self.binary = binary
        self.workdir = workdir
        self.tz = tz
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.log_path = workdir / "server.log"
        self._cache: dict = {}
        self.db_url: str | None = None

    # -- process ------------------------------------------------------------
    def start(self) -> "Server":
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.db_url is None:
            self.db_url = fresh_db_url(self.workdir)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HEXWATCH_")}
        env.setdefault("RUST_LOG", "info")
        last = ""
        for _attempt in range(3):
            port = _free_port()
            self.base = f"http://127.0.0.1:{port}"
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [str(self.binary), "serve", "--db", self.db_url,
                 "--listen", f"127.0.0.1:{port}", "--timezone", self.tz],
                cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            log.close()
            _RUNNING.add(self.proc)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    r = self.get("/health", timeout=2)
                    if r.status == 200 and r.json().get("status") == "ok":
                        return self
                except (OSError, ValueError):
                    pass
                time.sleep(0.1)
            last = self.log_tail()
            self.stop()
            if "in use" not in last:   # retry only a lost port race
                break
        raise RuntimeError(f"hexwatch did not start; log:\n{last}")

    def stop(self) -> None:
        p, self.proc = self.proc, None
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        _RUNNING.discard(p)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    # -- HTTP ---------------------------------------------------------------
    def request(self, method: str, path: str, params=None, body: bytes | None = None,
                content_type: str | None = None, timeout: float = HTTP_TIMEOUT) -> Response:
        url = self.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, data=body, method=method)
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers, e.read())

    def get(self, path: str, params=None, timeout: float = HTTP_TIMEOUT) -> Response:
        return self.request("GET", path, params, timeout=timeout)

    def post_json(self, path: str, payload) -> Response:
        return self.request("POST", path, body=json.dumps(payload).encode(),
                            content_type="application/json")

    def get_json_ok(self, path: str, params=None):
        """GET that must answer 200 with JSON; responses are cached per
        (path, params) since the data does not change during a session."""
        key = (path, tuple(sorted((params or {}).items())))
        if key not in self._cache:
            r = self.get(path, params)
            assert r.status == 200, f"GET {path}?{urllib.parse.urlencode(params or {})} -> {r}"
            self._cache[key] = r.json()
        return self._cache[key]

    def hexagons(self, params):
        return self.get_json_ok("/api/v1/hexagons", params)


@pytest.fixture(scope="session")
def hexwatch_bin() -> Path:
    return _binary()


@pytest.fixture(scope="session")
def dataset():
    return hexref.build_dataset()


@pytest.fixture(scope="session")
def server(hexwatch_bin, dataset, tmp_path_factory):
    """A server loaded with the whole reference data set."""
    srv = Server(hexwatch_bin, tmp_path_factory.mktemp("hexwatch"))
    srv.start()
    try:
        totals = {"accepted": 0, "updated": 0, "duplicates": 0}
        for i in range(0, len(dataset), BATCH):
            batch = [p.record() for p in dataset[i:i + BATCH]]
            r = srv.post_json("/api/v1/appeals", batch)
            assert r.status == 200, f"ingest of records {i}..{i + len(batch)} -> {r}"
            body = r.json()
            assert body.get("rejected") == [], f"ingest rejected records: {str(body)[:2000]}"
            for k in totals:
                totals[k] += body.get(k, 0)
        assert totals == {"accepted": len(dataset), "updated": 0, "duplicates": 0}, totals
        health = srv.get("/health").json()
        assert health == {"status": "ok", "appeals": len(dataset)}, health
    except BaseException:
        print("server log:\n" + srv.log_tail(), file=sys.stderr)
        srv.stop()
        raise
    yield srv
    srv.stop()


def pytest_terminal_summary(terminalreporter):
    if hexref.REPORT:
        terminalreporter.section("hexwatch reference report")
        for line in hexref.REPORT:
            terminalreporter.write_line(line)
