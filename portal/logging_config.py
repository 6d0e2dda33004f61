"""One logging configuration for the app, the CLI, gunicorn and the job consumer: JSON lines
on stderr with a timestamp, level, logger, process id (which gunicorn worker), and the
request's or the job's id."""
import json
import logging
import logging.config
import os
from datetime import datetime, timezone

DEFAULT_LEVEL = "INFO"


class ContextFilter(logging.Filter):
    """Adds the request id (in a request) and the job id (in a job) to every record."""

    def filter(self, record):
        from flask import g, has_app_context, has_request_context

        from portal.jobs.queue import current_job_id
        if has_request_context() and has_app_context():
            record.request_id = g.get("request_id")
        job_id = current_job_id.get()
        if job_id:
            record.job_id = job_id
        return True


class JsonFormatter(logging.Formatter):
    """A record's own fields (`extra={"fields": {...}}`, e.g. the request line's) come first,
    unchanged, so that readers of the request lines keep working; then the common ones."""

    def format(self, record):
        entry = dict(getattr(record, "fields", None) or {"message": record.getMessage()})
        entry.update(
            timestamp=datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds"),
            level=record.levelname, logger=record.name, pid=record.process)
        for name in ("request_id", "job_id"):
            value = getattr(record, name, None)
            if value and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_dict(level=None):
    """The dictConfig mapping; `level` defaults to PORTAL_LOG_LEVEL, else INFO."""
    level = (level or os.environ.get("PORTAL_LOG_LEVEL") or DEFAULT_LEVEL).upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": "json", "filters": ["context"]}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # gunicorn's own loggers write through the same handler (its access log is off:
            # the portal writes one line per request itself).
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": level, "handlers": [], "propagate": True},
            "werkzeug": {"level": level, "handlers": [], "propagate": True},
            "huey": {"level": level, "handlers": [], "propagate": True},
        },
    }


def configure_logging(level=None):
    logging.config.dictConfig(logging_dict(level))
