"""Forms that keep what was typed when the post arrives without a valid session.

A phone browser (WeChat's above all) drops its cookie when it drops the page; the idle timeout
ends a session while someone types. The post that follows would meet a bare "bad request" page
or a redirect to the login page, and the text would be lost. A view marked `keeps_typed_text`
answers such a post with its `rescue` instead: the form again, filled with what was posted,
saving nothing, asking to log in again.

Only a post from this site's own pages is rescued: a form posted from another site (a forged
post) gets the plain refusal, so that it cannot even show its text in someone's form.
"""
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user


def keeps_typed_text(rescue):
    """Decorate a view (outside `login_required`): a POST from a visitor without a session is
    answered by `rescue(**view_args)`; the CSRF and idle-timeout hooks call it too."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method == "POST" and not current_user.is_authenticated:
                return rescue(*args, **kwargs)
            return view(*args, **kwargs)

        wrapper.rescue = rescue
        return wrapper

    return decorate


def posted_from_this_site():
    """Whether the browser says the post came from one of our pages. Browsers send `Origin`
    (and `Sec-Fetch-Site`) with every form post; a client that sends neither has no one's
    cookies to abuse."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.host


def rescue_for_request():
    """The current POST's rescue, or None when its view has none or the post is foreign."""
    if request.method != "POST" or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    rescue = getattr(view, "rescue", None)
    if rescue is None or not posted_from_this_site():
        return None
    return rescue
