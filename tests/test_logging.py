"""One logging configuration: JSON lines with a timestamp, level, logger and request or job
id, for the app, the CLI, gunicorn and the consumer."""
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from portal.jobs import job
from portal.logging_config import ContextFilter, JsonFormatter, logging_dict

REPO = Path(__file__).resolve().parent.parent


def formatted(record):
    ContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def record(name="portal.test", message="hello %s", args=("world",), **extra):
    entry = logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def test_a_line_has_a_timestamp_level_logger_and_message():
    line = formatted(record())
    assert line["message"] == "hello world" and line["level"] == "INFO"
    assert line["logger"] == "portal.test" and line["timestamp"].endswith("+00:00")
    assert line["pid"] == os.getpid()   # which gunicorn worker wrote it


def test_the_request_line_keeps_its_fields_first_and_gains_the_common_ones():
    fields = {"request_id": "abc", "method": "GET", "route": "/", "status": 200,
              "duration_ms": 1.5}
    line = formatted(record("portal.access", json.dumps(fields), (), fields=fields))
    assert list(line)[:5] == list(fields) and line["status"] == 200
    assert {"timestamp", "level", "logger"} <= set(line) and "message" not in line


def test_lines_written_in_a_request_carry_its_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/healthz", headers={"X-Request-Id": "req-42"})
    assert response.headers["X-Request-Id"] == "req-42"
    (access,) = [entry for entry in caplog.records if entry.name == "portal.access"]
    assert formatted(access)["request_id"] == "req-42"


class Lines(logging.Handler):
    """The configured handler's filter and formatter, writing into a list."""

    def __init__(self):
        super().__init__()
        self.lines = []
        self.addFilter(ContextFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, entry):
        self.lines.append(json.loads(self.format(entry)))


def test_lines_written_in_a_job_carry_its_id(app_context):
    lines, logger = Lines(), logging.getLogger("portal.test")
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)

    @job()
    def logging_job():
        logger.info("in the job")

    try:
        logging_job()
        logger.info("outside")
    finally:
        logger.removeHandler(lines)
    inside, outside = lines.lines
    assert inside["message"] == "in the job" and len(inside["job_id"]) >= 32
    assert "job_id" not in outside


def test_the_level_comes_from_portal_log_level(monkeypatch):
    assert logging_dict()["root"]["level"] == "INFO"
    monkeypatch.setenv("PORTAL_LOG_LEVEL", "warning")
    assert logging_dict()["root"]["level"] == "WARNING"


def test_gunicorn_uses_the_same_configuration():
    code = ("import runpy, json; settings = runpy.run_path('gunicorn.conf.py'); "
            "print(json.dumps(settings['logconfig_dict']['root']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, check=True)
    assert json.loads(result.stdout) == {"level": "INFO", "handlers": ["stderr"]}


def test_the_cli_logs_info_lines_as_json(tmp_path):
    """Without MAIL_SERVER, the mail module's INFO lines were dropped: they are kept now."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PORTAL_", "MAIL_", "DATABASE_URL", "REDIS_URL"))}
    env.update(PORTAL_INSTANCE_PATH=str(tmp_path), PORTAL_JOBS_IMMEDIATE="1", SECRET_KEY="x")
    flask = [str(Path(sys.executable).with_name("flask")), "--app", "portal"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=REPO, check=True,
                   capture_output=True)
    subprocess.run([*flask, "load-contest", "portal/seed/zzcf-2014.yaml"], env=env, cwd=REPO,
                   check=True, capture_output=True)
    result = subprocess.run([*flask, "invite-judge", "--contest", "zzcf-2014", "--email",
                             "judge@example.org"], env=env, cwd=REPO, capture_output=True,
                            text=True)
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert result.returncode == 0, result.stderr
    assert any(line["logger"] == "portal.mail.delivery" and line["level"] == "INFO"
               and "job_id" in line for line in lines), result.stderr
