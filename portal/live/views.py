"""Pitch-day pages outside the console: the big screen (secret link), a judge's phone and the
audience page. Each answers a poll with 304 while the session's ETag is unchanged; the public
ones are mostly answered before Flask (portal.live.gate)."""
import time
import uuid

from flask import Blueprint, abort, current_app, jsonify, make_response, redirect, \
    render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.live import services
from portal.live.forms import LiveScoreForm
from portal.live.gate import CACHE_HEADER, page_cache, page_key, tag
from portal.live.pulse import pulses_for
from portal.live.screens import board
from portal.models import LiveSession
from portal.web import commit_and_redirect, show_domain_error

bp = Blueprint("live", __name__)


def live_or_404(live_id):
    live = db.session.get(LiveSession, live_id)
    if live is None:
        abort(404)
    return live


def session_pulse(live_id=None, token=None):
    """The session's pulse (Redis, or one statement), or 404."""
    pulse = pulses_for(current_app._get_current_object()).pulse(live_id=live_id, token=token)
    if pulse is None:
        abort(404)
    return pulse


def not_modified(current):
    """304 when the poll's If-None-Match is the page's current ETag, else None."""
    if request.headers.get("If-None-Match") != current:
        return None
    response = make_response("", 304)
    _poll_headers(response, current)
    return response


def _poll_headers(response, current):
    response.headers["ETag"] = current
    response.headers["Cache-Control"] = "no-cache, private"
    # A kept page's timer was rendered earlier: the page counts down from then to this.
    response.headers["X-Live-Now"] = f"{time.time():.3f}"


def polled_page(live, view, template, pulse, second=None, shared=False, build=None,
                **context):
    """Render the page (or, with ?fragment=1, only its live part) with the session's ETag;
    304 when the poll's If-None-Match still matches, before anything else is read. `build()`
    gives the rest of the template's context, only when the page is rendered. A `shared` live
    part (the same for everyone) is rendered once per state and kept (portal.live.gate)."""
    fragment = request.args.get("fragment") == "1"
    locale = current_locale()
    current = tag(live.id, pulse.version, pulse.activity if second is None else second, view,
                  locale, fragment)
    response = not_modified(current)
    if response is not None:
        return response
    # Only the polled part is kept: a page opened afresh shows its timer as of now.
    shared = shared and fragment
    key = page_key(pulse, view, locale)
    kept = page_cache(current_app._get_current_object()).get(key) if shared else None
    if kept is not None:
        response = make_response(kept[1])
    else:
        context.update(build() if build else {})
        if "board" not in context:   # (setdefault would compute a second board)
            context["board"] = board(live)
        response = make_response(render_template(template, live=live, fragment=fragment,
                                                 etag=current, **context))
        if shared:
            response.headers[CACHE_HEADER] = key
    _poll_headers(response, current)
    return response


@bp.route("/live/screen/<token>")
def screen(token):
    """The big screen: full screen, read-only, opened by its secret link."""
    pulse = session_pulse(token=token)
    live = live_or_404(pulse.id)
    return polled_page(live, "screen", "live/screen.html", pulse, shared=True, audience=False)


@bp.route("/live/<int:live_id>/audience")
def audience(live_id):
    """The audience page, when the organizers opened it: pitch, timer, revealed scores."""
    pulse = session_pulse(live_id=live_id)
    policy.require(pulse.audience_public, 404)
    live = live_or_404(live_id)
    return polled_page(live, "audience", "live/screen.html", pulse, shared=True, audience=True)


def _require_judge(live):
    policy.require(policy.is_judge_of(current_user, live.contest), 403)


@bp.route("/live/<int:live_id>/judge")
@login_required
def judge(live_id):
    """A judge's phone: follows the session, shows the rubric, takes the score while open.
    Its page changes with the session's version and the judge's own mark (their scores, a
    reminder), not with every other judge's score; an unchanged poll is answered once the
    session is checked (login_required), from the pulse alone: a 304 shows nothing."""
    me = current_user._get_current_object()
    pulse = pulses_for(current_app._get_current_object()).judge_pulse(live_id, me.id)
    if pulse is None:
        abort(404)
    mark = pulse.mark(me.id)
    response = not_modified(tag(live_id, pulse.version, mark, f"judge{me.id}", current_locale(),
                                request.args.get("fragment") == "1"))
    if response is not None:
        return response
    live = live_or_404(live_id)
    _require_judge(live)

    def build():
        current = board(live, for_judge=True)
        form = LiveScoreForm.for_criteria(live.contest.criteria, current_locale())
        form.key.data = uuid.uuid4().hex
        if current.pitch is not None:
            form.pitch_id.data = current.pitch.id
        return {"board": current, "form": form,
                "score_inputs": form.score_inputs(live.contest.criteria)}

    return polled_page(live, f"judge{me.id}", "live/judge.html", pulse, second=mark,
                       build=build, me=me)


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
