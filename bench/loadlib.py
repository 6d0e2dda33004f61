"""Shared pieces of the load and fault scripts: a portal under gunicorn and simple web clients.

Clients use only the standard library (urllib with a cookie jar), read CSRF tokens from the
forms like a browser would, and retry a request that failed on a dropped connection.
"""
import functools
import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')
FORM_TOKEN_RE = re.compile(r'id="form_token" name="form_token" type="hidden" value="([^"]+)"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(instance, database_url, redis_url=None, **extra):
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(instance), DATABASE_URL=database_url,
               SECRET_KEY="load-test-secret", RATELIMIT_ENABLED="0",
               PORTAL_BASE_URL="http://127.0.0.1")
    env.update(extra)
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def flask(env, *args):
    subprocess.run([str(PYTHON), "-m", "flask", "--app", "portal", *args], cwd=REPO, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def prepare(env):
    """Migrate, load the contest and make an organizer."""
    flask(env, "db", "upgrade")
    flask(env, "load-contest", "portal/seed/zzcf-2014.yaml", "--skip-existing")


class Gunicorn:
    """gunicorn serving the portal on a free localhost port."""

    def __init__(self, env, workers=4, port=None, app="wsgi:app", extra_args=()):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # A file, not a pipe: a full pipe would block the workers' logging.
        self.log_path = Path(env["PORTAL_INSTANCE_PATH"]) / f"gunicorn-{self.port}.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "gunicorn"), app, "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(workers), "--timeout", "60",
             "--graceful-timeout", "5", "--log-level", "warning", *extra_args],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
            start_new_session=True)
        # The portal's job consumer delivers its mail, as beside gunicorn in a deployment.
        self.jobs = self.jobs_log = None
        if app == "wsgi:app":
            self.jobs_log = open(Path(env["PORTAL_INSTANCE_PATH"]) / f"jobs-{self.port}.log",
                                 "wb")
            self.jobs = subprocess.Popen(
                [str(PYTHON), "-m", "flask", "--app", "portal", "jobs", "--workers", "2"],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=self.jobs_log,
                start_new_session=True)
        self._wait()

    def _wait(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start: " + self.log_path.read_text()[-2000:])

    def server_errors(self):
        """The server errors in the log, in order: one line each (route, request id,
        exception); see server_log.py."""
        from server_log import server_errors, summary
        return [summary(error) for error in server_errors(
            self.log_path.read_text(errors="replace"))]

    def worker_pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True,
                             text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill_a_worker(self):
        pids = self.worker_pids()
        if pids:
            os.kill(pids[0], signal.SIGKILL)
            return pids[0]
        return None

    def stop(self):
        for process in (self.process, self.jobs):
            if process is None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for log in (self.log, self.jobs_log):
            if log is not None:
                log.close()


def _json_line(line):
    if not line.startswith("{"):
        return {}
    try:
        logged = json.loads(line)
    except ValueError:
        return {}
    return logged if isinstance(logged, dict) else {}


class Client:
    """A browser-like session: cookies, CSRF tokens from pages, retries on dropped links."""

    def __init__(self, base, timings, retries=8, source=None, forwarded_for=None):
        """`source`: the local address to connect from (any 127.x.y.z works on Linux), as a
        proxy would; `forwarded_for`: the X-Forwarded-For header that proxy adds."""
        self.base, self.timings, self.retries = base, timings, retries
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()]
        if source:
            handlers.append(_FromAddress(source))
        self.opener = urllib.request.build_opener(*handlers)
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        self.errors = 0
        self.error_kinds = []

    def send(self, path, data=None, files=None):
        """One try: (status, body, location), whatever the status; OSError when the link drops."""
        body, headers = _encode(data, files)
        request = urllib.request.Request(self.base + path, data=body,
                                         headers={**self.headers, **headers})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), \
                    response.headers.get("Location")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), \
                error.headers.get("Location")

    def request(self, label, path, data=None, files=None):
        """(status, body, location); retried when the connection drops (a killed worker)."""
        for attempt in range(self.retries):
            started = time.perf_counter()
            try:
                result = self.send(path, data, files)
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError) as error:
                self.errors += 1
                self.error_kinds.append(f"{label}: {type(error).__name__}")
                time.sleep(0.2 * (attempt + 1))
                continue
            self.timings.setdefault(label, []).append(time.perf_counter() - started)
            if result[0] >= 500:
                self.errors += 1
                self.error_kinds.append(f"{label}: HTTP {result[0]}")
                time.sleep(0.2 * (attempt + 1))
                continue
            return result
        raise RuntimeError(f"{label}: no answer after {self.retries} tries")

    def page(self, label, path):
        status, text, _location = self.request(label, path)
        return text

    @staticmethod
    def csrf(text):
        match = CSRF_RE.search(text)
        return match.group(1) or match.group(2)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _FromAddress(urllib.request.HTTPHandler):
    """Connect from a given local address, as a reverse proxy on that address would."""

    def __init__(self, source):
        super().__init__()
        self.source = source

    def http_open(self, request):
        return self.do_open(functools.partial(http.client.HTTPConnection,
                                              source_address=(self.source, 0)), request)


def _encode(data, files):
    if data is None and files is None:
        return None, {}
    if not files:
        return urllib.parse.urlencode(data, doseq=True).encode(), \
            {"Content-Type": "application/x-www-form-urlencoded"}
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in (data or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                     f'{value}\r\n'.encode())
    for key, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                     .encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def percentiles(values):
    ordered = sorted(values)
    if not ordered:
        return {}
    pick = lambda share: ordered[min(len(ordered) - 1, int(share * len(ordered)))]  # noqa: E731
    return {"count": len(ordered), "p50_ms": round(pick(0.50) * 1000, 1),
            "p95_ms": round(pick(0.95) * 1000, 1), "p99_ms": round(pick(0.99) * 1000, 1)}


def log(*parts):
    print(*parts, flush=True, file=sys.stderr)
