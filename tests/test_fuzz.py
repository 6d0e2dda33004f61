"""Fuzzing the main form handlers with hypothesis: random text (NUL bytes, control characters,
odd Unicode, very long strings) and numbers (huge, negative, NaN, exponents) in every field of
registration, login, profile, proposal new/edit, scoring, screening, contest settings and the
proposal search. Whatever arrives, the answer is never a server error (in the test config an
unhandled error is raised into the test instead of a 500 page)."""
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import Contest, Proposal
from tests.factories import Auth
from tests.test_access_matrix import world_values

FUZZ = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

ODD = ["\x00", "a\x00b", "\u202e\u2066", "\ufeff", "e\u0301", "\U0001f600", "\u200b",
       "\r\n", "\x1b[31m", "' OR 1=1 --", "%00", "..\\..\\", "{{7*7}}", "\udbff".encode(
           "utf-8", "surrogatepass").decode("utf-8", "replace")]
text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.sampled_from(ODD),
    st.builds(lambda char, n: char * n, st.sampled_from(["x", "长", "\x00", "9"]),
              st.integers(min_value=1000, max_value=70_000)),
)
number = st.one_of(
    st.integers(min_value=-10**40, max_value=10**40).map(str),
    st.sampled_from(["NaN", "inf", "-inf", "1e400", "1e-400", "0x1f", "1_000", "٣", "１２",
                     "9" * 400, "-0", "  7  ", "7.123456789", ""]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
value = st.one_of(text, number)


def fields(*names, numbers=()):
    """Form data: each field absent or given a value; number fields get numbers more often."""
    spec = {name: value for name in names}
    spec.update({name: st.one_of(number, text) for name in numbers})
    return st.fixed_dictionaries({}, optional=spec)


@pytest.fixture
def world(web_app, app_context):
    values, users = world_values()
    return web_app, values, users


def fresh_client(web_app, user=None):
    client = web_app.test_client()
    if user is not None:
        assert Auth(client).login(user).status_code == 302
    return client


def no_server_error(response):
    assert response.status_code < 500, response.status_code


PROPOSAL_FIELDS = ("title", "summary", "need", "beneficiaries", "plan", "outcomes",
                   "innovation", "team", "sustainability", "contact_name", "contact_phone",
                   "contact_email", "publish_consent", "form_token", "version", "submit",
                   "budget_lines-0-item", "budget_lines-0-note", "budget_lines-9999-item")
PROPOSAL_NUMBERS = ("theme_id", "beneficiary_count", "budget_lines-0-amount",
                    "budget_lines-1-amount")


def test_register(world):
    web_app = world[0]

    @FUZZ
    @given(fields("email", "display_name", "password", "confirm", "consent"))
    def run(data):
        no_server_error(fresh_client(web_app).post("/register", data=data))
    run()


def test_login(world):
    web_app, _values, users = world

    @FUZZ
    @given(fields("email", "password", "remember", "next"), st.booleans())
    def run(data, real_email):
        if real_email:
            data["email"] = users["owner"].email
        no_server_error(fresh_client(web_app).post("/login", data=data,
                                                   query_string={"next": data.get("next", "")}))
    run()


def test_profile(world):
    web_app, _values, users = world
    client = fresh_client(web_app, users["owner"])

    @FUZZ
    @given(fields("display_name", "entrant_type_code", "organization", "contact_name",
                  "phone", "next"))
    def run(data):
        no_server_error(client.post("/profile", data=data))
    run()


def _valid_theme(values):
    contest = db.session.scalar(db.select(Contest).filter_by(slug=values["slug"]))
    return {"theme_id": str(contest.themes[0].id)}


def _current_version(values):
    return {"version": str(db.session.get(Proposal, values["proposal_id"]).version)}


@pytest.mark.parametrize("role, url, known_good", [
    ("non_owner", "/contests/{slug}/proposals/new", _valid_theme),
    ("owner", "/proposals/{proposal_id}/edit", _current_version),
], ids=["new", "edit"])
def test_proposal_form(world, role, url, known_good):
    """The proposal form, new and edit; half the time the field that lets the save go on
    (a valid theme, the current version) is right, so that the other fields get further."""
    web_app, values, users = world
    client = fresh_client(web_app, users[role])

    @FUZZ
    @given(fields(*PROPOSAL_FIELDS, numbers=PROPOSAL_NUMBERS), st.booleans())
    def run(data, fix):
        if fix:
            data.update(known_good(values))
        no_server_error(client.post(url.format(**values), data=data))
    run()


def test_review_scoring(world):
    web_app, values, users = world
    client = fresh_client(web_app, users["judge_assigned"])
    contest = db.session.scalar(db.select(Contest).filter_by(slug=values["slug"]))
    scores = tuple(f"criterion_{criterion.id}" for criterion in contest.criteria)

    @FUZZ
    @given(fields("comment", "feedback", "save", "submit_review", numbers=scores))
    def run(data):
        no_server_error(client.post(f"/judge/assignments/{values['assignment_id']}",
                                    data=data))
    run()


def test_screening(world):
    web_app, values, users = world
    client = fresh_client(web_app, users["organizer"])

    @FUZZ
    @given(fields("decision", "reason", "correction_until"),
           st.sampled_from(["eligible", "ineligible", "returned", None]))
    def run(data, decision):
        if decision:
            data["decision"] = decision
        no_server_error(client.post(f"/admin/proposals/{values['proposal_id']}/screening",
                                    data=data))
        no_server_error(client.post(f"/admin/contests/{values['slug']}/screening", data={
            **data, "proposal_ids": [str(values["proposal_id"]), data.get("reason", "x")]}))
    run()


def test_contest_settings(world):
    web_app, values, users = world
    client = fresh_client(web_app, users["organizer"])

    @FUZZ
    @given(fields("slug", "name_zh", "name_en", "organizer_zh", "organizer_en",
                  "description_zh", "rules_zh", "faq_en", "contact", "opens_at",
                  "submission_deadline", "results_at", "reference_prefix", "blind",
                  "settings_version", numbers=("proposal_limit",)), st.booleans())
    def run(data, current_version):
        if current_version:
            contest = db.session.scalar(db.select(Contest).filter_by(slug=values["slug"]))
            data["settings_version"] = str(contest.settings_version)
        no_server_error(client.post(f"/admin/contests/{values['slug']}/settings", data=data))
    run()


def test_proposal_search_and_filters(world):
    web_app, values, users = world
    client = fresh_client(web_app, users["organizer"])

    @FUZZ
    @given(fields("q", "theme", "status", "sort", "dir", "page", "entrant_type", "round"))
    def run(query):
        no_server_error(client.get(f"/admin/contests/{values['slug']}/proposals",
                                   query_string=query))
    run()


BIG = "9" * 30
HOSTILE_URLS = [
    ("owner", f"/proposals/{BIG}"), ("owner", f"/attachments/{BIG}"),
    ("organizer", f"/admin/proposals/{BIG}"), ("judge_assigned", f"/judge/assignments/{BIG}"),
    ("anonymous", "/contests/%00"), ("anonymous", "/contests/x%00y/results"),
    ("organizer", "/admin/contests/{slug}/audit?page=" + BIG),
    ("organizer", "/admin/contests/{slug}/proposals?page=" + BIG),
    ("organizer", "/admin/contests/{slug}/proposals?page=-5&q=%00"),
    ("organizer", "/admin/contests/{slug}/conflicts/remove?proposal=" + BIG + "&judge=" + BIG),
    ("organizer", "/admin/contests/{slug}/rounds/" + BIG + "/assign?k=" + BIG),
    ("organizer", "/admin/contests/{slug}/judges/1/proposals?round=%00&theme=" + BIG),
]


def test_hostile_ids_pages_and_nul_bytes_in_urls(world):
    web_app, values, users = world
    clients = {}
    for role, url in HOSTILE_URLS:
        if role not in clients:
            clients[role] = fresh_client(web_app, users[role])
        response = clients[role].get(url.format(**values))
        assert response.status_code in (400, 404) or response.status_code < 400, url
        no_server_error(response)


def test_nul_bytes_in_forms_and_file_names_are_refused(world):
    web_app, values, users = world
    client = fresh_client(web_app, users["owner"])
    assert client.post("/profile", data={"display_name": "a\x00b"}).status_code == 400
    upload = client.post(f"/proposals/{values['proposal_id']}/attachments",
                         content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a\x00.pdf")})
    assert upload.status_code == 400


def test_odd_ids_in_a_bulk_selection(world):
    web_app, values, users = world
    client = fresh_client(web_app, users["organizer"])
    for odd in ("²", "٣", "9" * 30, "9" * 5000, "-1", "1e3", ""):
        response = client.post(f"/admin/contests/{values['slug']}/screening", data={
            "decision": "eligible", "proposal_ids": [odd, str(values["proposal_id"])]})
        no_server_error(response)
