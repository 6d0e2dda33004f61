"""Configuration classes; secrets come from the environment or the instance folder."""
import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_instance_path():
    """The instance folder: `PORTAL_INSTANCE_PATH`, else `instance/` at the repository root."""
    return str(Path(os.environ.get("PORTAL_INSTANCE_PATH", REPO_ROOT / "instance")).resolve())


def _env_flag(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def load_or_create_secret_key(instance_path):
    """Read the secret key kept in the instance folder, generating it (mode 0600) on first use."""
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once must not both write a different key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class BaseConfig:
    """Settings shared by every environment; values read from the environment at start-up."""

    PORTAL_ENV = "development"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    WTF_CSRF_TIME_LIMIT = None  # a form left open all evening must still submit
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    INVITATION_MAX_AGE_DAYS = 7
    PASSWORD_HASH_METHOD = "scrypt"
    SESSION_IDLE_MINUTES = 120
    SESSION_ABSOLUTE_HOURS = 12
    REAUTHENTICATE_AFTER_MINUTES = 10
    PERMANENT_SESSION_LIFETIME = 120 * 60
    # The session cookie is signed and sent again only when the session changed, not on every
    # response: enforce_timeouts changes it at most once a minute (the idle clock), which also
    # moves the cookie's expiry on. The timeouts themselves are checked on the server.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_DURATION = 7 * 24 * 3600
    MAX_ATTACHMENTS = 5
    EMAIL_CONFIRMATION_MAX_AGE_DAYS = 7
    PASSWORD_RESET_MAX_AGE_SECONDS = 3600
    PRIVACY_NOTICE_VERSION = "2026-11"

    def __init__(self):
        self.DATABASE_URL = os.environ.get("DATABASE_URL")
        self.SECRET_KEY = os.environ.get("SECRET_KEY")
        self.PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:5000")
        self.PORTAL_UPLOAD_PATH = os.environ.get("PORTAL_UPLOAD_PATH")
        self.PORTAL_MAX_UPLOAD_MB = int(os.environ.get("PORTAL_MAX_UPLOAD_MB", "20"))
        # Where the audit log's daily anchors are appended (see portal.audit).
        self.PORTAL_AUDIT_ANCHOR_FILE = os.environ.get("PORTAL_AUDIT_ANCHOR_FILE")
        self.REDIS_URL = os.environ.get("REDIS_URL")
        self.PORTAL_LOG_LEVEL = os.environ.get("PORTAL_LOG_LEVEL", "INFO")
        self.RATELIMIT_ENABLED = _env_flag("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True
        # Several portals may share one Redis: each counts under its own prefix.
        self.RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
        # The proxies whose X-Forwarded-For (the client's address) is believed: the setting
        # gunicorn reads for X-Forwarded-Proto, with its default (portal/proxies.py).
        self.FORWARDED_ALLOW_IPS = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
        # Login attempts: per address (IP) and per account, whatever the outcome.
        self.LOGIN_LIMIT_PER_IP = os.environ.get("PORTAL_LOGIN_LIMIT_PER_IP",
                                                 "30 per minute; 300 per hour")
        self.LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("PORTAL_LOGIN_LIMIT_PER_ACCOUNT",
                                                      "5 per minute; 30 per hour")
        self.SIGNUP_LIMIT_PER_IP = os.environ.get("PORTAL_SIGNUP_LIMIT_PER_IP",
                                                  "10 per minute; 100 per hour")
        self.PORTAL_ADMIN_EMAIL = os.environ.get("PORTAL_ADMIN_EMAIL")
        self.PORTAL_ADMIN_PASSWORD = os.environ.get("PORTAL_ADMIN_PASSWORD")
        for name, value in os.environ.items():
            if name.startswith("MAIL_"):
                setattr(self, name, value)
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USE_TLS = _env_flag("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _env_flag("MAIL_USE_SSL", False)
        self.MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", "20"))
        # Delivery: up to this many attempts, the first retry after MAIL_RETRY_SECONDS and
        # each next one after twice as long (at most an hour): about 2 hours by default.
        self.MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
        self.MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "30"))
        # How long a delivery job may hold a message before another may send it again.
        self.MAIL_LEASE_SECONDS = int(os.environ.get("MAIL_LEASE_SECONDS", "60"))
        # Jobs run inside the request that queued them (no consumer): for tests and demos.
        self.JOBS_IMMEDIATE = _env_flag("PORTAL_JOBS_IMMEDIATE", False)
        self.PORTAL_BACKUP_PATH = os.environ.get("PORTAL_BACKUP_PATH")
        self.PORTAL_BACKUP_KEEP = int(os.environ.get("PORTAL_BACKUP_KEEP", "14"))
        self.PORTAL_RETENTION_YEARS = int(os.environ.get("PORTAL_RETENTION_YEARS", "3"))
        # Exports of a contest with more proposals than this are prepared by a job: the
        # organizer sees a progress bar and downloads the file when it is ready; it is kept
        # PORTAL_PREPARED_FILE_HOURS, then the scheduler deletes it.
        self.PORTAL_BACKGROUND_EXPORT_ROWS = int(
            os.environ.get("PORTAL_BACKGROUND_EXPORT_ROWS", "300"))
        self.PORTAL_PREPARED_FILE_HOURS = int(os.environ.get("PORTAL_PREPARED_FILE_HOURS", "24"))
        # A job building a file renews this lease as it goes; a file whose lease ran out (its
        # worker was killed) is built again, at most PREPARED_FILE_ATTEMPTS times in all.
        self.PREPARED_FILE_LEASE_SECONDS = int(
            os.environ.get("PREPARED_FILE_LEASE_SECONDS", "600"))
        # Mail providers, beyond the built-in list, whose addresses say nothing about an
        # organization (conflicts of interest), e.g. "zzedu.net,ha.chinamobile.com".
        self.PORTAL_PUBLIC_MAIL_DOMAINS = tuple(
            domain.strip().lower() for domain in
            os.environ.get("PORTAL_PUBLIC_MAIL_DOMAINS", "").split(",") if domain.strip())


class DevelopmentConfig(BaseConfig):
    """The default: a local SQLite file, plain-HTTP cookies."""


class ProductionConfig(BaseConfig):
    """Behind HTTPS: secure cookies and HSTS."""

    PORTAL_ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


def config_for_environment():
    """The config object chosen by `PORTAL_ENV`."""
    if os.environ.get("PORTAL_ENV", "development") == "production":
        return ProductionConfig()
    return DevelopmentConfig()
