"""Pitch day under load: a host drives the live session while judges score on their phones and
viewers watch the audience page, every client polling its page with its ETag each second.

Measures how long each client takes to show a change the host committed (from the moment the
host sent the step, so the figure errs long) and counts every error. Fails when any request
errs or the 95th percentile passes 2 seconds.

The viewers are coroutines of one thread speaking plain HTTP/1.1 (a request, the answer read to
its end, as a browser's fetch does), not a thread each with urllib: the load client shares the
machine with the server, and a client that spent more of it than the phones it stands for would
measure its own delays. Judges (signed in, scoring) keep a thread each.

    python bench/live_load.py --database postgresql --judges 30 --viewers 300 --seconds 300
"""
import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadlib import Client, Gunicorn, flask, log, percentiles, portal_env  # noqa: E402
from surge import database_url, drop_database  # noqa: E402

DEMO_PASSWORD = "demo password 2014"
HOST_EMAIL = "host@live-load.example.org"
HOST_PASSWORD = "host password for the load test"
VERSION_RE = re.compile(r'live-\d+-(\d+)-(\d+)-')
STATE_RE = re.compile(r'id="live-(?:board|judge-status|host-panel)"[^>]*data-state="(\w+)"')
PITCH_RE = re.compile(r'name="pitch_id" type="hidden" value="(\d+)"')
CRITERION_RE = re.compile(r'name="(criterion_\d+)"')
STEP_AFTER = {"waiting": "start", "revealed": "start", "presenting": "qa", "qa": "open",
              "scoring_open": "close", "scoring_closed": "reveal"}


def seed(env, slug, finalists):
    """The organizer who hosts, a final round, `finalists` advanced proposals and the session
    (audience page open); returns the session's id."""
    os.environ.update({key: env[key] for key in ("PORTAL_INSTANCE_PATH", "DATABASE_URL",
                                                 "SECRET_KEY")})
    from portal import create_app
    from portal.accounts.services import create_user
    from portal.contests.services import contest_by_slug
    from portal.extensions import db
    from portal.live import services
    from portal.models import Proposal, ProposalStatus, Round, utcnow
    from portal.results import advancement
    with create_app().app_context():
        contest = contest_by_slug(slug)
        host = create_user(HOST_EMAIL, HOST_PASSWORD, display_name="主持人", organizer=True)
        host.email_confirmed_at = utcnow()
        final = Round(contest=contest, position=len(contest.rounds) + 1, code="final",
                      name_zh="终审路演", name_en="Final pitch")
        db.session.add(final)
        proposals = db.session.scalars(db.select(Proposal).filter(
            Proposal.contest_id == contest.id,
            Proposal.status.in_((ProposalStatus.SUBMITTED, ProposalStatus.ELIGIBLE)))
            .order_by(Proposal.id).limit(finalists)).all()
        advancement.advance(host, contest, contest.rounds[0], proposals)
        live = services.create_session(host, contest, final)
        services.save_settings(host, live, "trimmed", 1, 1, True, True)
        db.session.commit()
        live_id = live.id
        db.session.remove()
    return live_id


class Watch:
    """What every client saw: when each version first reached it, and the errors."""

    def __init__(self):
        self.lock = threading.Lock()
        self.committed = {}     # version -> when the host sent the step that made it
        self.lags = []
        self.errors = []
        self.statuses = {}
        self.scores = {"sent": 0, "resent": 0, "received": 0, "refused": 0}

    def count(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def error(self, text):
        with self.lock:
            self.errors.append(text)

    def seen(self, previous, version, moment):
        with self.lock:
            for number in range(previous + 1, version + 1):
                if number in self.committed:
                    self.lags.append(moment - self.committed[number])


class Poller:
    """One client polling a page's live part each second, with its ETag."""

    def __init__(self, base, path, watch, opener=None):
        self.url, self.watch = f"{base}{path}?fragment=1", watch
        self.opener = opener or urllib.request.build_opener()
        self.etag, self.version, self.body = None, None, ""

    def poll(self):
        request = urllib.request.Request(self.url, headers={"If-None-Match": self.etag}
                                         if self.etag else {})
        try:
            with self.opener.open(request, timeout=30) as response:
                status, tag, body = response.status, response.headers.get("ETag"), \
                    response.read().decode()
        except urllib.error.HTTPError as error:
            status, tag, body = error.code, error.headers.get("ETag"), ""
        except OSError as error:
            self.watch.error(f"{self.url}: {type(error).__name__}")
            return False
        self.watch.count(status)
        if status >= 400 and status != 304:
            self.watch.error(f"{self.url}: HTTP {status}")
            return False
        if status == 200:
            self.etag, self.body = tag, body
            version = int(VERSION_RE.search(tag).group(1))
            if self.version is not None and version > self.version:
                self.watch.seen(self.version, version, time.time())
            self.version = version
            return True
        return False


class ViewerPoller:
    """A viewer's phone polling the audience page's live part each second: one coroutine,
    one connection per request (gunicorn's sync workers close it after each answer)."""

    def __init__(self, base, path, watch):
        self.host, self.port = base.split("//")[1].split(":")
        self.path, self.watch = f"{path}?fragment=1", watch
        self.etag, self.version = None, None

    async def poll(self):
        head = [f"GET {self.path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                "Accept-Language: zh-CN", "Connection: close"]
        if self.etag:
            head.append(f"If-None-Match: {self.etag}")
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, int(self.port)), 30)
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
            answer = await asyncio.wait_for(reader.read(-1), 30)
            writer.close()
        except (OSError, asyncio.TimeoutError) as error:
            self.watch.error(f"{self.path}: {type(error).__name__}")
            return
        header, _sep, _body = answer.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split()[1])
        except (IndexError, ValueError):
            self.watch.error(f"{self.path}: no HTTP answer")
            return
        self.watch.count(status)
        if status >= 400:
            self.watch.error(f"{self.path}: HTTP {status}")
        if status != 200:
            return
        tag = next((line.split(":", 1)[1].strip() for line in lines[1:]
                    if line.lower().startswith("etag:")), None)
        version = int(VERSION_RE.search(tag).group(1))
        if self.version is not None and version > self.version:
            self.watch.seen(self.version, version, time.time())
        self.etag, self.version = tag, version

    async def run(self, until, every=1.0):
        while time.time() < until:
            started = time.time()
            await self.poll()
            await asyncio.sleep(max(0.0, every - (time.time() - started)))


def run_viewers(base, live_id, watch, count, until):
    """`count` viewers, started over the first second, in this thread's event loop."""
    async def main():
        pollers = [ViewerPoller(base, f"/live/{live_id}/audience", watch) for _n in range(count)]

        async def start(poller, delay):
            await asyncio.sleep(delay)
            await poller.run(until)
        await asyncio.gather(*(start(poller, index / max(1, count))
                               for index, poller in enumerate(pollers)))
    asyncio.run(main())


def run_poller(poller, until, every=1.0, after=None):
    while time.time() < until:
        started = time.time()
        if poller.poll() and after is not None:
            after(poller)
        time.sleep(max(0.0, every - (time.time() - started)))


def judge(base, number, watch, until, rng):
    client = Client(base, {})
    form = client.page("login_form", "/login")
    client.request("login", "/login", {"csrf_token": client.csrf(form),
                                       "email": f"judge{number}@judges.{watch.slug}.demo",
                                       "password": DEMO_PASSWORD})
    poller = Poller(base, f"/live/{watch.live_id}/judge", watch, opener=client.opener)
    scored = set()

    def maybe_score(poller):
        state, pitch = STATE_RE.search(poller.body), PITCH_RE.search(poller.body)
        fields = CRITERION_RE.findall(poller.body)
        if not (state and pitch and fields) or state.group(1) != "scoring_open" \
                or pitch.group(1) in scored:
            return
        scored.add(pitch.group(1))
        time.sleep(rng.uniform(0, 1.5))   # judges do not all tap at once
        data = {"csrf_token": client.csrf(poller.body), "pitch_id": pitch.group(1),
                "key": uuid.uuid4().hex, **{field: str(rng.randint(5, 10)) for field in fields}}
        # One judge in ten sends twice (a lost answer): the second must count for nothing.
        for attempt in range(2 if rng.random() < 0.1 else 1):
            request = urllib.request.Request(f"{base}/live/{watch.live_id}/judge/score",
                                             data=urllib.parse.urlencode(data).encode(),
                                             headers={"Accept": "application/json"})
            try:
                with client.opener.open(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError as error:
                watch.error(f"score: {type(error).__name__}")
                continue
            key = "resent" if attempt else ("received" if status == 200 else "refused")
            with watch.lock:
                watch.scores["sent"] += 1
                watch.scores[key] += 1
            if status >= 500 or status in (400, 403, 404):
                watch.error(f"score: HTTP {status}")

    run_poller(poller, until, after=maybe_score)


def host(base, watch, until, step_seconds):
    client = Client(base, {})
    form = client.page("login_form", "/login")
    client.request("login", "/login", {"csrf_token": client.csrf(form), "email": HOST_EMAIL,
                                       "password": HOST_PASSWORD})
    path = f"/admin/live/{watch.live_id}/host"
    while time.time() < until:
        page = client.page("host_page", path + "?fragment=1")
        state = STATE_RE.search(page).group(1)
        version = int(re.search(r'data-version="(\d+)"', page).group(1))
        step = STEP_AFTER.get(state)
        if step == "start" and 'data-step="start"' not in page:
            break   # every finalist has pitched
        sent = time.time()
        with watch.lock:
            watch.committed[version + 1] = sent
        status, _body, _location = client.request(step, f"/admin/live/{watch.live_id}/step", {
            "csrf_token": client.csrf(page), "step": step, "version": version})
        if status != 302:
            watch.error(f"host {step}: HTTP {status}")
        time.sleep(step_seconds * (2 if step == "open" else 1))


def server_cpu_seconds(server):
    """CPU time of gunicorn's master and workers, recycled workers included (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")

    def times(pid, children):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0
        # utime, stime, and (for the master) the children it has waited for: cutime, cstime
        return sum(int(value) for value in fields[11:15 if children else 13])
    total = times(server.process.pid, True) + sum(times(pid, False)
                                                  for pid in server.worker_pids())
    return total / tick


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--judges", type=int, default=30)
    parser.add_argument("--viewers", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--step-seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis", default=os.environ.get("LIVE_REDIS_URL"),
                        help="a Redis URL: the portal mirrors the session there (REDIS_URL)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    slug = f"live-{uuid.uuid4().hex[:6]}"
    # Five host steps a pitch, the scoring step twice as long: enough finalists for the run.
    finalists = int(args.seconds / (6 * args.step_seconds)) + 2
    watch = Watch()
    watch.slug = slug
    with tempfile.TemporaryDirectory() as temporary:
        instance = Path(temporary)
        url, created = database_url(args.database, instance)
        env = portal_env(instance, url, redis_url=args.redis)
        server = None
        try:
            flask(env, "db", "upgrade")
            flask(env, "seed-demo", "--contest", slug, "--proposals", str(finalists + 4),
                  "--judges", str(args.judges), "--reviews-per-proposal", "1")
            watch.live_id = seed(env, slug, finalists)
            server = Gunicorn(env, workers=args.workers)
            load_before, client_before = os.getloadavg(), os.times()
            server_before = server_cpu_seconds(server)
            until = time.time() + args.seconds
            threads = [threading.Thread(target=judge, args=(server.base, number, watch, until,
                                                            random.Random(number)))
                       for number in range(1, args.judges + 1)]
            threads.append(threading.Thread(target=run_viewers, args=(
                server.base, watch.live_id, watch, args.viewers, until)))
            for thread in threads:
                thread.start()
                time.sleep(0.005)   # not all in the same millisecond
            host(server.base, watch, until, args.step_seconds)
            for thread in threads:
                thread.join()
            client_after = os.times()
            server_used = server_cpu_seconds(server) - server_before
            watch.machine = {
                "load_average_before": [round(value, 2) for value in load_before],
                "load_average_after": [round(value, 2) for value in os.getloadavg()],
                "cpus": os.cpu_count(), "server_cpu_seconds": round(server_used, 1),
                "client_cpu_seconds": round(client_after.user + client_after.system
                                            - client_before.user - client_before.system, 1)}
            watch.errors += [f"server error: {error}" for error in server.server_errors()]
        finally:
            if server is not None:
                server.stop()
            drop_database(created)
    lag = percentiles(watch.lags)
    report = {"database": args.database, "judges": args.judges, "viewers": args.viewers,
              "seconds": args.seconds, "host_changes": len(watch.committed),
              "responses": watch.statuses, "scores": watch.scores,
              "change_shown_after": lag, "machine": getattr(watch, "machine", {}),
              "redis": bool(args.redis), "errors": watch.errors[:50],
              "error_count": len(watch.errors)}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    ok = not watch.errors and lag and lag["p95_ms"] <= 2000 and watch.scores["received"]
    log("live:", "ok" if ok else "FAILED", f"p95 {lag.get('p95_ms')} ms,",
        f"{len(watch.errors)} errors")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
