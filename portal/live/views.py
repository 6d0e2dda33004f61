"""Pitch-day pages outside the console: the big screen (secret link), a judge's phone and the
audience page. Each answers a poll with 304 while the session's ETag is unchanged."""
import time
import uuid
from collections import OrderedDict
from threading import Lock

from flask import Blueprint, abort, jsonify, make_response, redirect, render_template, request, \
    url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.live import services
from portal.live.forms import LiveScoreForm
from portal.live.screens import board, etag
from portal.models import LiveSession
from portal.web import commit_and_redirect, show_domain_error

bp = Blueprint("live", __name__)
# The big screen's and the audience's pages are the same for every viewer: rendered once per
# change of the session (its ETag) in each process, not once per viewer.
_shared_pages = OrderedDict()
_shared_lock = Lock()
SHARED_PAGES_KEPT = 32


def live_or_404(live_id):
    live = db.session.get(LiveSession, live_id)
    if live is None:
        abort(404)
    return live


def polled_page(live, view, template, shared=False, build=None, **context):
    """Render the page (or, with ?fragment=1, only its live part) with the session's ETag;
    304 when the poll's If-None-Match still matches, before anything else is read. `build()`
    gives the rest of the template's context, only when the page is rendered. A `shared` page
    (the same for everyone) is rendered once per ETag in this process."""
    fragment = request.args.get("fragment") == "1"
    tag = etag(live.id, view, f"-{current_locale()}-{int(fragment)}")
    if request.headers.get("If-None-Match") == tag:
        response = make_response("", 304)
    else:
        # Only the polled part is kept: a page opened afresh shows its timer as of now.
        shared = shared and fragment
        # The screen's secret tells sessions apart where ids are reused (a restored database).
        key = (tag, live.screen_token)
        body = _shared_pages.get(key) if shared else None
        if body is None:
            context.update(build() if build else {})
            context.setdefault("board", board(live))
            body = render_template(template, live=live, fragment=fragment, etag=tag, **context)
            if shared:
                _keep_shared(key, body)
        response = make_response(body)
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = "no-cache, private"
    # A kept page's timer was rendered earlier: the page counts down from then to this.
    response.headers["X-Live-Now"] = f"{time.time():.3f}"
    return response


def _keep_shared(key, body):
    with _shared_lock:
        _shared_pages[key] = body
        while len(_shared_pages) > SHARED_PAGES_KEPT:
            _shared_pages.popitem(last=False)


@bp.route("/live/screen/<token>")
def screen(token):
    """The big screen: full screen, read-only, opened by its secret link."""
    live = db.session.scalar(db.select(LiveSession).filter_by(screen_token=token))
    if live is None:
        abort(404)
    return polled_page(live, "screen", "live/screen.html", shared=True, audience=False)


@bp.route("/live/<int:live_id>/audience")
def audience(live_id):
    """The audience page, when the organizers opened it: pitch, timer, revealed scores."""
    live = live_or_404(live_id)
    policy.require(live.audience_public, 404)
    return polled_page(live, "audience", "live/screen.html", shared=True, audience=True)


def _require_judge(live):
    policy.require(policy.is_judge_of(current_user, live.contest), 403)


@bp.route("/live/<int:live_id>/judge")
@login_required
def judge(live_id):
    """A judge's phone: follows the session, shows the rubric, takes the score while open."""
    live = live_or_404(live_id)
    _require_judge(live)
    me = current_user._get_current_object()

    def build():
        current = board(live)
        form = LiveScoreForm.for_criteria(live.contest.criteria, current_locale())
        form.key.data = uuid.uuid4().hex
        if current.pitch is not None:
            form.pitch_id.data = current.pitch.id
        return {"board": current, "form": form}

    return polled_page(live, f"judge{me.id}", "live/judge.html", build=build, me=me)


@bp.route("/live/<int:live_id>/judge/score", methods=["POST"])
@login_required
def score(live_id):
    """Receive a judge's score: JSON for the phone's queue, a redirect without JavaScript."""
    live = live_or_404(live_id)
    _require_judge(live)
    wants_json = request.accept_mimetypes.best == "application/json"
    form = LiveScoreForm.for_criteria(live.contest.criteria, current_locale())
    if not form.validate_on_submit():
        message = _("Give every score as a number.")
        return _answer(wants_json, live, 400, message)
    values = form.values(live.contest.criteria)
    if any(value is None for value in values.values()):
        return _answer(wants_json, live, 400, _("Score every criterion before you send."))
    try:
        pitch_id = int(form.pitch_id.data)
        services.receive_score(current_user._get_current_object(), live, pitch_id,
                               form.key.data, values)
    except (DomainError, ValueError) as error:
        message = getattr(error, "message", _("The score could not be read."))
        db.session.rollback()
        return _answer(wants_json, live, 409, message)
    db.session.commit()
    return _answer(wants_json, live, 200, _("Received."))


def _answer(wants_json, live, status, message):
    if wants_json:
        return jsonify(received=status == 200, message=str(message)), status
    if status == 200:
        return commit_and_redirect(message, "live.judge", live_id=live.id)
    show_domain_error(DomainError(message))
    return redirect(url_for("live.judge", live_id=live.id))
