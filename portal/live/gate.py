"""The public pitch-day polls (the big screen and the audience page) answered before Flask.

Hundreds of phones in the hall poll the audience page each second. Such a poll carries the
ETag of the page it shows; the gate compares it with the session's pulse (Redis, or one
indexed statement) and answers 304 at once, or 200 with the page's live part as rendered
once for that state (kept in this process and, with Redis, for every worker and host). Only a
state nobody has rendered yet goes on to Flask, whose answer is then kept. The session, the
locale selection, the request hooks and the access log are not run for these answers: the
pages are public (a secret link, or the organizers' setting, which the pulse carries), read
nothing of the person, and set no cookie. A judge's phone is signed in, so its poll goes
through Flask (see views.judge).
"""
import json
import logging
import re
import time
from collections import OrderedDict
from threading import Lock

from portal.live.pulse import pulses_for

log = logging.getLogger(__name__)

PATH = re.compile(r"^/live/(?:screen/([A-Za-z0-9_-]{1,64})|(\d{1,12})/audience)$")
TAG = re.compile(r'^W/"live-(\d+)-(\d+)-(\w+)-(screen|audience|judge\d+|host)-(zh_CN|en)-([01])"$')
CACHE_HEADER = "X-Live-Cache-Key"
# Per state: what the response says of itself; the gate adds the rest for each answer.
NOT_KEPT = {"etag", "x-live-now", "cache-control", "set-cookie", "date", "content-length",
            "x-request-id", CACHE_HEADER.lower()}
PAGES_KEPT = 64
PAGE_SECONDS = 120


def tag(live_id, first, second, view, locale, fragment):
    """A polled page's ETag: the session, its version, the view's second figure (the activity
    counter, or a judge's own mark), the view, the language, whole page or live part."""
    return f'W/"live-{live_id}-{first}-{second}-{view}-{locale}-{int(bool(fragment))}"'


def page_key(pulse, view, locale):
    # The screen's secret tells sessions apart where ids are reused (a restored database).
    return f"{pulse.screen_token}:{view}:{locale}:{pulse.version}:{pulse.activity}"


class PageCache:
    """Live parts as rendered, per state: in this process, and in Redis when configured."""

    def __init__(self, pulses):
        self.pulses = pulses
        self.pages = OrderedDict()
        self.lock = Lock()

    def get(self, key):
        found = self.pages.get(key)
        if found is not None:
            return found
        client = self.pulses.redis()
        if client is None:
            return None
        try:
            stored = client.get(self.pulses.prefix + "page:" + key)
        except Exception as error:   # Redis failing: render here
            self.pulses.failed(error)
            return None
        if stored is None:
            return None
        head, _sep, body = stored.partition(b"\n")
        found = ([tuple(pair) for pair in json.loads(head)], body)
        self._keep(key, found)
        return found

    def put(self, key, headers, body):
        found = ([(name, value) for name, value in headers if name.lower() not in NOT_KEPT],
                 body)
        self._keep(key, found)
        client = self.pulses.redis()
        if client is not None:
            try:
                client.set(self.pulses.prefix + "page:" + key,
                           json.dumps(found[0]).encode() + b"\n" + body, ex=PAGE_SECONDS)
            except Exception as error:
                self.pulses.failed(error)

    def _keep(self, key, found):
        with self.lock:
            self.pages[key] = found
            while len(self.pages) > PAGES_KEPT:
                self.pages.popitem(last=False)


def page_cache(app):
    found = app.extensions.get("live_pages")
    if found is None:
        found = app.extensions["live_pages"] = PageCache(pulses_for(app))
    return found


def answer_headers(current):
    return [("ETag", current), ("Cache-Control", "no-cache, private"),
            ("X-Live-Now", f"{time.time():.3f}")]


class LivePollGate:
    """WSGI middleware: answers the public live polls it can, passes every other request on."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        match = None
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("QUERY_STRING") == "fragment=1":
            match = PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.wsgi_app(environ, start_response)
        try:
            answer = self._answer(match, environ.get("HTTP_IF_NONE_MATCH"))
        except Exception:   # the database or the cache failed: Flask answers as usual
            log.exception("live poll gate")
            answer = None
        if answer is None:
            return self._through(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def _answer(self, match, seen):
        parsed = TAG.match(seen or "")
        if parsed is None:
            return None
        token, live_id = match.group(1), match.group(2)
        view = "screen" if token else "audience"
        pulses = pulses_for(self.app)
        pulse = pulses.pulse(live_id=int(live_id) if live_id else None, token=token)
        if pulse is None or (view == "audience" and not pulse.audience_public) \
                or int(parsed.group(1)) != pulse.id or parsed.group(4) != view:
            return None
        locale = parsed.group(5)
        current = tag(pulse.id, pulse.version, pulse.activity, view, locale, True)
        if current == seen:
            return "304 NOT MODIFIED", answer_headers(current), b""
        kept = page_cache(self.app).get(page_key(pulse, view, locale))
        if kept is None:
            return None
        headers, body = kept
        return "200 OK", [*headers, *answer_headers(current),
                          ("Content-Length", str(len(body)))], body

    def _through(self, environ, start_response):
        """Flask answers; a live part it rendered for a state (marked by the view) is kept."""
        kept = {}

        def capture(status, headers, exc_info=None):
            key = next((value for name, value in headers if name == CACHE_HEADER), None)
            if key is not None:
                headers = [(name, value) for name, value in headers if name != CACHE_HEADER]
                if status.startswith("200"):
                    kept.update(key=key, headers=headers)
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        if not kept:
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        page_cache(self.app).put(kept["key"], kept["headers"], body)
        return [body]
