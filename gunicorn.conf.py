"""gunicorn settings: `gunicorn wsgi:app` picks this file up from the working directory."""
import multiprocessing
import os

from portal.logging_config import logging_dict

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# The usual rule of thumb for synchronous workers: two per core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))   # big exports stream within this
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
# Workers fork from a master that has imported the app: a recycled (or killed) worker serves
# again within milliseconds, not after the seconds an import takes, during which its queued
# requests waited (the benchmark's p95 showed those stalls).
preload_app = True
accesslog = None          # the portal logs one structured line per request itself
errorlog = "-"
# The portal's logging (JSON lines on stderr) for gunicorn's own messages too.
logconfig_dict = logging_dict()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """Compile every template once and import the libraries the app imports on first use
    (portal.deferred_imports), in the master (the workers it forks, recycled ones too, find
    them ready); say so when each worker counts the rate limits alone (several workers,
    no Redis)."""
    import sys
    portal_wsgi = sys.modules.get("wsgi")
    if portal_wsgi is None:
        return
    from portal.templating_cache import compile_all_templates
    compile_all_templates(portal_wsgi.app)
    from portal.deferred_imports import import_deferred
    import_deferred()
    from portal.proxies import per_worker_limits_warning
    warning = per_worker_limits_warning(portal_wsgi.app.config, server.cfg.workers)
    if warning:
        server.log.warning(warning)


def pre_fork(server, worker):
    """The preloaded app's objects stay out of the workers' garbage collections (and their
    memory pages stay shared with the master: a collection would write to every one)."""
    import gc
    gc.freeze()


def post_request(worker, req, environ, resp):
    """After the response went out: what a request cached for many requests (a ranking) is
    left out of the garbage collector's full scans from now on (the portal's
    freeze_long_lived), outside any request's time."""
    import sys
    generation = sys.modules.get("portal.results.generation")   # absent for another app
    if generation is not None:
        generation.freeze_long_lived()


def post_fork(server, worker):
    """Database connections opened in the master must not be shared by its workers."""
    import sys
    portal_wsgi = sys.modules.get("wsgi")   # absent when this file serves another app
    if portal_wsgi is None:
        return
    from portal.extensions import db
    with portal_wsgi.app.app_context():
        db.engine.dispose(close=False)
