"""A real portal for the browser: gunicorn on a free localhost port, a fresh SQLite instance,
set up with the same commands the README gives a federation's staff."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email import policy
from email.parser import BytesParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the app's virtualenv, which runs pytest
SEED_CONTEST = REPO / "portal" / "seed" / "zzcf-2014.yaml"
CONTEST_SLUG = "zzcf-2014"
ORGANIZER_EMAIL = "staff@zzcf-e2e.example.org"
ORGANIZER_PASSWORD = "organizer password 2014"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortalServer:
    """gunicorn serving the portal from `instance` (a fresh folder) on 127.0.0.1."""

    def __init__(self, instance, workers=2):
        self.instance = Path(instance)
        self.instance.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ, PORTAL_INSTANCE_PATH=str(self.instance),
            DATABASE_URL=f"sqlite:///{self.instance / 'portal.sqlite3'}",
            SECRET_KEY="e2e-secret-key", RATELIMIT_ENABLED="0", PORTAL_BASE_URL=self.base,
            PORTAL_ENV="development", GUNICORN_WORKERS=str(workers), FLASK_DEBUG="0",
            # Mail is delivered by the request that queued it, once committed: the journeys
            # read the outbox right after an action, with no consumer to wait for.
            PORTAL_JOBS_IMMEDIATE="1")
        for name in ("REDIS_URL", "MAIL_SERVER", "PORTAL_UPLOAD_PATH", "PORTAL_ADMIN_EMAIL",
                     "PORTAL_ADMIN_PASSWORD"):
            self.env.pop(name, None)
        self.process = None
        self.log_path = self.instance / "gunicorn.log"

    # -- set-up, with the documented commands ------------------------------------------------
    def flask(self, *args):
        result = subprocess.run([str(BIN / "flask"), "--app", "portal", *args], cwd=REPO,
                                env=self.env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def prepare(self):
        """Migrate, load the 2014 contest, create the organizer, and seed what a journey needs
        besides its own applicant (tests/e2e/seed.py)."""
        self.flask("db", "upgrade")
        self.flask("load-contest", str(SEED_CONTEST), "--skip-existing")
        self.flask("create-user", "--organizer", "--email", ORGANIZER_EMAIL, "--password",
                   ORGANIZER_PASSWORD, "--name", "慈善总会项目部")
        self.seed()
        return self

    def seed(self, *args):
        """Run tests/e2e/seed.py on the contest, with `args`, in this portal's environment."""
        result = subprocess.run([str(BIN / "python"), str(Path(__file__).with_name("seed.py")),
                                 CONTEST_SLUG, *args], cwd=REPO, env=self.env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("seed.py failed:\n" + result.stdout + result.stderr)

    # -- the server ------------------------------------------------------------------------
    def start(self):
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{self.port}",
             "--workers", self.env["GUNICORN_WORKERS"], "--timeout", "60",
             "--graceful-timeout", "5", "--log-level", "warning"],
            cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log,
            start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + self.log_text()[-3000:])

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # Also when gunicorn had exited by itself: an unclosed log fails the run (ResourceWarning).
        self.log.close()

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def url(self, path):
        return self.base + path

    # -- the outbox ------------------------------------------------------------------------
    def emails(self, to=None):
        """Messages written to the outbox so far, oldest first (optionally only to `to`)."""
        folder = self.instance / "outbox"
        found = []
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if to is None or message["To"] == to:
                found.append(message)
        return found

    def link_in_latest(self, to, path_prefix, timeout=10):
        """The first link to `path_prefix` in the latest message to `to`, as a path."""
        deadline = time.time() + timeout
        while True:
            for message in reversed(self.emails(to)):
                # The body is base64 on the wire; get_content() decodes it.
                text = message.get_body(preferencelist=("plain",)).get_content()
                for url in re.findall(r"https?://\S+", text):
                    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
                    if path.startswith(path_prefix):
                        return path
            if time.time() > deadline:
                raise AssertionError(f"no email to {to} links to {path_prefix}")
            time.sleep(0.2)
