"""Pages and downloads served by gunicorn, beside the floor app served the same way.

Used by bench/run.py. Both servers run the repository's gunicorn.conf.py (sync workers) with the
same number of workers; the load comes from wrk (or a standard-library client without it), with
signed-in users' session cookies. A page is measured at 2 and at 20 connections.
"""
import re
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (CONTEST, DEMO_PASSWORD, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, load,  # noqa: E402
                      load_count, log, peak_rss_mb, rss_mb)
from loadlib import Client, Gunicorn  # noqa: E402

ASSIGNMENT_RE = re.compile(r'href="/judge/assignments/(\d+)')
SEARCH = urllib.parse.urlencode({"theme": "elderly_care", "q": "关爱", "sort": "budget",
                                 "dir": "desc"})
# Label -> (who, path). "simple" pages are held to 35 % of the floor's throughput at 20
# connections, and reported against 50 % (bench/run.py, share_row).
PAGES = {
    "ranked_list": ("organizer", f"/admin/contests/{CONTEST}/ranking"),
    "proposal_table": ("organizer", f"/admin/contests/{CONTEST}/proposals?{SEARCH}"),
    "dashboard": ("organizer", f"/admin/contests/{CONTEST}/dashboard"),
    "judge_assignments": ("judge", "/judge"),
    "judge_scoring": ("judge", "/judge/assignments/{assignment}?read=1"),
    "applicant_home": ("applicant", "/my/proposals"),
}
SIMPLE_PAGES = ("judge_assignments", "judge_scoring", "applicant_home")
DOWNLOADS = {
    "export_csv": f"/admin/contests/{CONTEST}/exports/download?format=csv&round=first",
    "export_xlsx": f"/admin/contests/{CONTEST}/exports/download?format=xlsx&round=first",
    "export_zip": f"/admin/contests/{CONTEST}/exports/download?format=zip&round=first",
}


def sign_in(base, email, password):
    """A signed-in client and its cookies as one Cookie header."""
    client = Client(base, {})
    form = client.page("login_form", "/login")
    status, _body, _location = client.request("login", "/login", {
        "csrf_token": client.csrf(form), "email": email, "password": password})
    if status not in (302, 303):
        raise RuntimeError(f"cannot sign in as {email} (HTTP {status})")
    return client, "; ".join(f"{cookie.name}={cookie.value}" for cookie in client.jar)


def _users(base):
    users = {
        "organizer": sign_in(base, ORGANIZER_EMAIL, ORGANIZER_PASSWORD),
        "judge": sign_in(base, f"judge1@judges.{CONTEST}.demo", DEMO_PASSWORD),
        "applicant": sign_in(base, f"applicant1@applicants.{CONTEST}.demo", DEMO_PASSWORD),
    }
    workspace = users["judge"][0].page("workspace", "/judge")
    return users, {"assignment": ASSIGNMENT_RE.search(workspace).group(1)}


def _measure(url, cookie, seconds):
    # Warm-up: templates compiled and caches filled in every worker (each computes the ranking
    # once per change of the scores: that cost is the ranking's "first view after a change"
    # figure), then a short run to choose between a duration and a fixed count.
    load_count(url, 4, 12, cookie)
    warm = load_count(url, 2, 4, cookie)
    if warm["p50_ms"] > 150:   # slow: a fixed number of requests rather than a duration
        return {"c2": load_count(url, 2, 6, cookie), "c20": load_count(url, 20, 20, cookie)}
    return {"c2": load(url, 2, seconds, cookie), "c20": load(url, 20, seconds, cookie)}


def measure_pages(env, workers, seconds):
    """Every page of PAGES and the floor's two pages, each at 2 and 20 connections."""
    from floor_app import prepare
    prepare(env["BENCH_DSN"])
    results = {}
    floor = Gunicorn(dict(env, BENCH_CONTEST=CONTEST), workers=workers, app="floor_app:app",
                     extra_args=("--pythonpath", "bench"))
    try:
        for label in ("rows", "ranked"):
            log(f"  floor /{label}")
            results[f"floor_{label}"] = _measure(floor.base + f"/{label}", None, seconds)
    finally:
        floor.stop()
    portal = Gunicorn(env, workers=workers)
    try:
        users, values = _users(portal.base)
        for label, (who, path) in PAGES.items():
            log(f"  {label}")
            status, body, _location = users[who][0].request(label, path.format(**values))
            if status != 200:
                raise RuntimeError(f"{label}: HTTP {status}: {body[:300]}")
            results[label] = _measure(portal.base + path.format(**values), users[who][1],
                                      seconds)
            results[label]["bytes"] = len(body.encode())
    finally:
        portal.stop()
    return results


def measure_downloads(env, runs=3):
    """Each download's time (one at a time) and the worker's peak memory (one worker). The
    bench contest is above the size whose exports a job prepares (portal.prepared): here they
    are written in the request, as before, the threshold raised (the job's own build time is
    bench/workbook_figures.py's)."""
    portal = Gunicorn(dict(env, PORTAL_BACKGROUND_EXPORT_ROWS=str(10 ** 9)), workers=1)
    results = {}
    try:
        cookie = sign_in(portal.base, ORGANIZER_EMAIL, ORGANIZER_PASSWORD)[1]
        (worker,) = portal.worker_pids()
        results["worker_rss_before_mb"] = rss_mb(worker)
        for label, path in DOWNLOADS.items():
            log(f"  {label}")
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                body = _download(portal.base + path, cookie)
                times.append((time.perf_counter() - started) * 1000)
                if times[-1] > 5000:   # a slow download: one run says enough
                    break
            times.sort()
            results[label] = {"median_ms": round(times[len(times) // 2], 1),
                              "min_ms": round(times[0], 1), "bytes": len(body),
                              "worker_peak_rss_mb": peak_rss_mb(worker)}
    finally:
        portal.stop()
    return results


def _download(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=120) as response:
        if response.status != 200 or response.headers.get_content_type() == "text/html":
            raise RuntimeError(f"{url}: HTTP {response.status}, {response.headers}")
        return response.read()


def floor_uploads(env, workers, clients):
    """`clients` applicants at once each post a 1 MB file to the floor app; latencies."""
    import concurrent.futures
    import random

    from floor_app import prepare
    from loadlib import percentiles
    prepare(env["BENCH_DSN"])
    floor = Gunicorn(dict(env, BENCH_CONTEST=CONTEST), workers=workers, app="floor_app:app",
                     extra_args=("--pythonpath", "bench"))
    timings = {}
    try:
        def post(number):
            client = Client(floor.base, timings)
            content = b"%PDF-1.4\n" + random.Random(number).randbytes(1024 * 1024)
            client.request("upload", "/upload", {}, files={"file": ("plan.pdf", content)})

        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            list(pool.map(post, range(clients)))
    finally:
        floor.stop()
    return percentiles(timings["upload"])
