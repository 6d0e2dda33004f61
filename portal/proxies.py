"""The network in front of the portal: which proxies' X-Forwarded-* headers to believe, and
whether rate limits are counted by all workers together.

Behind nginx every request comes from nginx's address; the client's own is in the
X-Forwarded-For header nginx adds. A header is only as trustworthy as whoever sent it, so it is
read only when the connection comes from a configured proxy (`FORWARDED_ALLOW_IPS`, the same
setting gunicorn uses for X-Forwarded-Proto); anyone else's is ignored. Rate limits then key on
the client's real address (ASVS 2.2.1), and a client cannot pick its own.
"""
import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix


def trusted_networks(setting):
    """The networks of `FORWARDED_ALLOW_IPS` ("127.0.0.1", "10.0.0.0/8,::1", or "*")."""
    if setting.strip() == "*":
        return [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    return [ipaddress.ip_network(part.strip(), strict=False)
            for part in setting.split(",") if part.strip()]


class TrustedProxies:
    """WSGI middleware: Werkzeug's ProxyFix (one proxy: the last X-Forwarded-For and
    X-Forwarded-Proto values) for connections from a trusted proxy, nothing for the others."""

    def __init__(self, wsgi_app, setting):
        self.wsgi_app = wsgi_app
        self.proxied = ProxyFix(wsgi_app, x_for=1, x_proto=1)
        self.networks = trusted_networks(setting)

    def __call__(self, environ, start_response):
        if self._trusted(environ.get("REMOTE_ADDR", "")):
            return self.proxied(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _trusted(self, address):
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:  # a Unix socket, or no address at all
            return False
        return any(peer in network for network in self.networks)


def per_worker_limits_warning(config, workers):
    """What gunicorn should say at start-up when each worker counts the rate limits alone (no
    Redis): an address then gets up to `workers` times the attempts the limits allow."""
    if workers <= 1 or not config.get("RATELIMIT_ENABLED", True) or \
            not config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        return None
    return (f"rate limits are counted by each of the {workers} workers alone: without REDIS_URL "
            f"an address may make up to {workers} times the attempts the limits allow. Set "
            "REDIS_URL to share the counts between workers and hosts.")
