"""Instructions per request: the simple signed-in pages and the floor's page, counted by callgrind.

    python bench/instructions.py [--requests 30]      (the portal's bench environment set)

A time depends on what else the machine runs; a count of instructions does not (the same
binary, inputs and environment give the same count, whatever the other cores do). Each page
runs in its own interpreter under `valgrind --tool=callgrind` with counting off while Python
starts, imports, signs in (through the test client, as a browser would) and warms up with 20
requests; counting is then switched on for `--requests` requests and off again
(`callgrind_control`). What is counted is the app's whole request (middleware, session,
database driver, template, response) without the HTTP server, so the floor `/rows`
(bench/floor_app.py) is counted the same way. Prints JSON: millions of instructions per request
by page, `{}` with a reason when valgrind is not installed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import CONTEST, DEMO_PASSWORD, PYTHON, emit  # noqa: E402

ASSIGNMENT_RE = re.compile(r'href="/judge/assignments/(\d+)')
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# Page -> (who signs in, address); the floor needs nobody.
PAGES = {
    "floor_rows": (None, "/rows"),
    "applicant_home": ("applicant", "/my/proposals"),
    "judge_assignments": ("judge", "/judge"),
    "judge_scoring": ("judge", "/judge/assignments/{assignment}?read=1"),
}
WARMUP = 20


def _signed_in_client(app, who):
    client = app.test_client()
    if who is None:
        return client
    form = client.get("/login").get_data(as_text=True)
    email = f"{who}1@{who}s.{CONTEST}.demo"
    response = client.post("/login", data={"csrf_token": CSRF_RE.search(form).group(1),
                                           "email": email, "password": DEMO_PASSWORD})
    if response.status_code not in (302, 303):
        raise RuntimeError(f"cannot sign in as {email} (HTTP {response.status_code})")
    return client


def _app(page):
    if page == "floor_rows":
        from floor_app import app
        return app
    from portal import create_app
    return create_app()


def count_one(page, requests):
    """In the child under callgrind: sign in, warm up, count `requests` requests."""
    who, url = PAGES[page]
    app = _app(page)
    client = _signed_in_client(app, who)
    if "{assignment}" in url:
        workspace = client.get("/judge").get_data(as_text=True)
        url = url.format(assignment=ASSIGNMENT_RE.search(workspace).group(1))
    for _ in range(WARMUP):
        status = client.get(url).status_code
        if status != 200:
            raise RuntimeError(f"{page}: HTTP {status}")
    switch = ["callgrind_control", "-i"]
    subprocess.run([*switch, "on", str(os.getpid())], check=True, stdout=subprocess.DEVNULL)
    for _ in range(requests):
        client.get(url)
    subprocess.run([*switch, "off", str(os.getpid())], check=True, stdout=subprocess.DEVNULL)


def _totals(path):
    for line in Path(path).read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def count(page, requests):
    """Millions of instructions per request of `page`, in a child under callgrind."""
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as folder:
        out = Path(folder) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                        f"--callgrind-out-file={out}", str(PYTHON), __file__, "--child", page,
                        "--requests", str(requests)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=900)
        return round(_totals(out) / requests / 1e6, 3)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--child", choices=sorted(PAGES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        count_one(args.child, args.requests)
        return 0
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        emit({"skipped": "valgrind is not installed (apt-get install valgrind)"})
        return 0
    emit({page: count(page, args.requests) for page in PAGES})
    return 0


if __name__ == "__main__":
    sys.exit(main())
