"""Shared pieces of the benchmark (`make bench`): timing, the bench database, HTTP load runs.

Figures and floors run as separate processes (`python bench/<script>.py ... --json`) so that
each starts cold and measures only its own work; they print one JSON object on their last line.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadlib import PYTHON, REPO, portal_env  # noqa: E402

BENCH = REPO / "bench"
CONTEST = "bench"
SMALL_CONTESTS = {"q10": 10, "q1000": 1000}    # for the SQL statements per page
JUDGES = 200
REVIEWS_PER_PROPOSAL = 5
SEED = 2014
ORGANIZER_EMAIL = "organizer@bench.example.org"
ORGANIZER_PASSWORD = "bench organizer password"
DEMO_PASSWORD = "demo password 2014"
# Older OpenBLAS builds need these on some processors; they slow a current numpy (env README).
OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def log(*parts):
    print(*parts, flush=True, file=sys.stderr)


def timed(func, runs=7, warmup=2):
    """Median, min and max milliseconds of `func()` over `runs` calls after `warmup` calls."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1), "runs": runs}


def numpy_env(env):
    """The environment for a process that measures numpy work: without the OpenBLAS overrides."""
    return {key: value for key, value in env.items() if key not in OPENBLAS_VARIABLES}


def emit(result):
    """What a figure or floor script prints last: one JSON line for run.py."""
    print(json.dumps(result, ensure_ascii=False, default=str), flush=True)


def run_script(script, *args, env=None, timeout=600):
    """Run bench/<script> in a fresh interpreter; its last stdout line, parsed as JSON."""
    completed = subprocess.run([str(PYTHON), str(BENCH / script), *map(str, args)], cwd=REPO,
                               env=env or dict(os.environ), capture_output=True, text=True,
                               timeout=timeout)
    if completed.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{completed.stderr[-3000:]}")
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1])


class BenchDatabase:
    """The instance folder and database that every figure and floor of one run share."""

    def __init__(self, kind, root=None):
        self.kind = kind
        self.instance = Path(tempfile.mkdtemp(prefix=f"portal-bench-{kind}-", dir=root))
        self.created = None
        if kind == "sqlite":
            self.path = self.instance / "portal.sqlite3"
            self.url = f"sqlite:///{self.path}"
            self.dsn = str(self.path)
        else:
            import psycopg
            server = os.environ.get("BENCH_POSTGRESQL_URL",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")
            name = f"portal_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            self.created = (server, name)
            self.dsn = f"{server.rsplit('/', 1)[0]}/{name}"
            self.url = self.dsn.replace("postgresql://", "postgresql+psycopg://", 1)
        self.env = portal_env(self.instance, self.url, PORTAL_ADMIN_EMAIL=ORGANIZER_EMAIL,
                              PORTAL_ADMIN_PASSWORD=ORGANIZER_PASSWORD, BENCH_DATABASE=kind,
                              BENCH_DSN=self.dsn)

    def flask(self, *args):
        started = time.perf_counter()
        subprocess.run([str(PYTHON), "-m", "flask", "--app", "portal", *map(str, args)],
                       cwd=REPO, env=self.env, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started

    def seed(self, proposals):
        """Migrate, make the organizer, and seed the bench contest and the two small ones."""
        self.flask("db", "upgrade")
        self.flask("ensure-organizer")
        seconds = self.flask("seed-demo", "--contest", CONTEST, "--proposals", proposals,
                             "--judges", JUDGES, "--reviews-per-proposal", REVIEWS_PER_PROPOSAL,
                             "--seed", SEED)
        for slug, count in SMALL_CONTESTS.items():
            self.flask("seed-demo", "--contest", slug, "--proposals", count, "--judges", 20,
                       "--reviews-per-proposal", 3, "--seed", SEED)
        if self.kind == "postgresql":
            self._analyze()
        return seconds

    def _analyze(self):
        import psycopg
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")

    def close(self):
        if self.created:
            import psycopg
            server, name = self.created
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.instance, ignore_errors=True)


def connect(dsn):
    """A plain DB-API connection for a floor: sqlite3 on a file path, psycopg on a URL."""
    if dsn.startswith("postgresql://"):
        import psycopg
        return psycopg.connect(dsn)
    import sqlite3
    return sqlite3.connect(dsn)


def placeholder(connection):
    return "?" if type(connection).__module__ == "sqlite3" else "%s"


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "errors": %d, ' ..
    '"non2xx": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n', summary.requests,
    summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def load(url, connections, seconds, cookie=None):
    """Requests/s and latency percentiles of GET `url` with `connections` clients at once.

    wrk when it is installed (Debian's package); else a threaded standard-library client, which
    is slower and says so in the result ("client").
    """
    headers = {"Connection": "close"}
    if cookie:
        headers["Cookie"] = cookie
    if shutil.which("wrk"):
        return _wrk(url, connections, seconds, headers)
    return _python_load(url, connections, seconds, headers)


def load_count(url, connections, total, cookie=None):
    """Like `load`, for slow pages: exactly `total` requests spread over `connections`."""
    headers = {"Connection": "close"}
    if cookie:
        headers["Cookie"] = cookie
    return _python_load(url, connections, None, headers, total)


def _wrk(url, connections, seconds, headers):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d",
                   f"{seconds}s", "--timeout", "30s", "-s", script.name]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run(command + [url], capture_output=True, text=True,
                                timeout=seconds + 60).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    raw = json.loads(line[4:])
    return {"client": "wrk", "connections": connections,
            "requests_per_s": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
            "p50_ms": round(raw["p50_us"] / 1000, 1), "p95_ms": round(raw["p95_us"] / 1000, 1),
            "p99_ms": round(raw["p99_us"] / 1000, 1), "requests": raw["requests"],
            "errors": raw["errors"], "non_2xx": raw["non2xx"]}


def _python_load(url, connections, seconds, headers, total=None):
    import http.client
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + (seconds or 3600)
    latencies, errors, non_2xx, lock = [], [0], [0], threading.Lock()
    left = [total if total is not None else float("inf")]

    def worker():
        while time.perf_counter() < deadline:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
                if not 200 <= response.status < 300:
                    non_2xx[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    pick = lambda share: round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000,  # noqa: E731
                               1)
    return {"client": "python" if total is None else "python (fixed count)",
            "connections": connections,
            "requests_per_s": round(len(latencies) / elapsed, 1), "p50_ms": pick(0.50),
            "p95_ms": pick(0.95), "p99_ms": pick(0.99), "requests": len(latencies),
            "errors": errors[0], "non_2xx": non_2xx[0]}


def peak_rss_mb(pid):
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None
