"""The charity contest portal: the application factory and its small register_* helpers."""
from pathlib import Path

from flask import Flask

from portal.config import REPO_ROOT, config_for_environment, default_instance_path, \
    load_or_create_secret_key
from portal.logging_config import configure_logging
from portal.templating_cache import template_bytecode_cache
from portal.ops.health import install_request_logging
from portal.validation import RecordIdConverter


def create_app(config=None):
    """Build the app; `config` is a mapping or object that overrides the environment's config."""
    overrides = _as_mapping(config)
    instance_path = overrides.get("PORTAL_INSTANCE_PATH") or default_instance_path()
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    app = Flask(
        "portal",
        instance_path=instance_path,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
    )
    # Compiled templates are kept on disk: a new or recycled worker unmarshals them instead of
    # compiling (set before the first use of app.jinja_env, which reads the options).
    app.jinja_options = {**app.jinja_options, "bytecode_cache": template_bytecode_cache(
        Path(instance_path))}
    # Before any route is added: ids beyond what a column holds are a 404, not an error.
    app.url_map.converters["int"] = RecordIdConverter
    app.config.from_object(config_for_environment())
    app.config.update(overrides)
    _complete_config(app)
    if not app.testing:   # the tests' own capture of the logs stays in place
        configure_logging(app.config.get("PORTAL_LOG_LEVEL"))
    # First, so that requests that CSRF, the rate limiter or another hook refuses are logged too.
    install_request_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_cli(app)
    register_proxies(app)
    register_live_gate(app)
    return app


def _as_mapping(config):
    if config is None:
        return {}
    if isinstance(config, dict):
        return dict(config)
    return {key: getattr(config, key) for key in dir(config) if key.isupper()}


def _complete_config(app):
    """Fill in the settings whose defaults live in the instance folder."""
    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'portal.sqlite3'}")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file cannot drop a connection as a server can: no ping before each request's
        # first statement (PostgreSQL keeps it).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}), "pool_pre_ping": False}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(instance)
    if not app.config.get("PORTAL_UPLOAD_PATH"):
        app.config["PORTAL_UPLOAD_PATH"] = str(instance / "uploads")
    if not app.config.get("PORTAL_AUDIT_ANCHOR_FILE"):
        app.config["PORTAL_AUDIT_ANCHOR_FILE"] = str(instance / "audit-anchors.log")
    app.config["MAX_CONTENT_LENGTH"] = (app.config["PORTAL_MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    if not app.config.get("PORTAL_BACKUP_PATH"):
        app.config["PORTAL_BACKUP_PATH"] = str(instance / "backups")
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")


def register_extensions(app):
    from portal.database import configure_sqlite_engines, install_after_commit_hooks
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
    from portal.i18n import N_, install_template_gettext, select_locale, select_timezone
    from portal.jobs import init_queue
    from portal.mail.compose import install_delivery_hooks
    from portal.models.base import render_migration_item
    from portal.generations import install_generation_hooks

    configure_sqlite_engines()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True, compare_type=True, render_item=render_migration_item)
    csrf.init_app(app)
    init_queue(app)
    limiter.init_app(app)
    install_after_commit_hooks()
    install_delivery_hooks()
    install_generation_hooks()
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    # Flashed messages are stored in the session, so this stays a plain string until shown.
    login_manager.login_message = N_("Please log in to open this page.")

    from portal.accounts.services import load_user
    login_manager.user_loader(load_user)
    login_manager.localize_callback = _translate_login_message


def _translate_login_message(message):
    from flask_babel import gettext
    return gettext(message)


def register_blueprints(app):
    from portal.accounts.two_factor_views import bp as two_factor_bp
    from portal.accounts.views import bp as accounts_bp
    from portal.awards.public import bp as publication_bp
    from portal.awards.views import bp as awards_bp
    from portal.awards.proposal_views import bp as award_proposals_bp
    from portal.certificates.public import bp as verification_bp
    from portal.certificates.views import bp as certificates_bp
    from portal.console.announcement_views import bp as announcements_bp
    from portal.console.audit_views import bp as audit_bp
    from portal.console.dashboard_views import bp as dashboard_bp
    from portal.console.site_views import bp as site_bp
    from portal.console.views import bp as console_bp
    from portal.contests.chair_views import bp as chairs_bp
    from portal.contests.setup.views import bp as setup_bp
    from portal.exports.views import bp as exports_bp
    from portal.grants.organizer_views import bp as grants_admin_bp
    from portal.grants.public import bp as grants_public_bp
    from portal.grants.views import bp as grants_bp
    from portal.judging.judges_views import bp as judges_bp
    from portal.judging.organizer_views import bp as judging_admin_bp
    from portal.judging.views import bp as judging_bp
    from portal.live.host_views import bp as live_host_bp
    from portal.live.views import bp as live_bp
    from portal.mail.views import bp as mail_bp
    from portal.mail_templates.views import bp as mail_templates_bp
    from portal.ops.health import bp as ops_bp
    from portal.prepared.views import bp as prepared_bp
    from portal.privacy.views import bp as privacy_bp
    from portal.proposals.organizer_views import bp as proposals_admin_bp
    from portal.proposals.screening.views import bp as screening_bp
    from portal.proposals.views import bp as proposals_bp
    from portal.public.views import bp as contests_bp
    from portal.results.views import bp as results_bp

    for blueprint in (ops_bp, contests_bp, accounts_bp, two_factor_bp, privacy_bp, proposals_bp,
                      judging_bp, console_bp, proposals_admin_bp, judges_bp, results_bp, setup_bp,
                      screening_bp, site_bp, awards_bp, publication_bp, dashboard_bp,
                      judging_admin_bp, exports_bp, certificates_bp, verification_bp,
                      mail_templates_bp, mail_bp, grants_bp, grants_admin_bp, grants_public_bp,
                      prepared_bp, live_bp, live_host_bp, chairs_bp, announcements_bp, audit_bp,
                      award_proposals_bp):
        app.register_blueprint(blueprint)


def register_request_hooks(app):
    from portal.accounts.sessions import enforce_timeouts
    from portal.accounts.two_factor_views import require_organizer_two_factor
    from portal.security import refuse_nul_bytes, set_security_headers
    from portal.static_files import install_static_fingerprints
    install_static_fingerprints(app)
    app.before_request(refuse_nul_bytes)
    app.before_request(enforce_timeouts)
    app.before_request(require_organizer_two_factor)
    app.after_request(set_security_headers)


def register_template_helpers(app):
    from portal.templating import install_template_helpers
    install_template_helpers(app)


def register_error_handlers(app):
    from portal.errors import install_error_handlers
    install_error_handlers(app)


def register_proxies(app):
    """Client addresses from X-Forwarded-For, for connections from the trusted proxies only."""
    from portal.proxies import TrustedProxies
    app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["FORWARDED_ALLOW_IPS"])


def register_live_gate(app):
    """The public pitch-day polls answered before Flask (outermost: the cheapest path)."""
    from portal.live.gate import LivePollGate
    app.wsgi_app = LivePollGate(app.wsgi_app, app)


def register_cli(app):
    from portal.cli import register_commands
    from portal.ops.jobs_cli import jobs_command
    from portal.ops.cli import COMMANDS
    register_commands(app)
    for command in (*COMMANDS, jobs_command):
        app.cli.add_command(command)
