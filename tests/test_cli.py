"""The `flask --app portal` commands, through Click's runner."""
import pytest

from portal.extensions import db
from portal.models import Contest, Invitation, Theme, User
from tests.factories import SEED_FILE, make_contest, make_proposal


@pytest.fixture
def invoke(runner, app_context):
    def run(*args, **kwargs):
        result = runner.invoke(args=list(args), **kwargs)
        db.session.rollback()  # read what the command committed
        return result
    return run


def test_create_user_with_a_password(invoke):
    result = invoke("create-user", "--email", "Staff@Example.org", "--organizer",
                    "--password", "a long enough password")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User))
    assert user.email == "staff@example.org" and user.is_organizer
    assert user.check_password("a long enough password")


def test_create_user_prompts_for_the_password(invoke):
    result = invoke("create-user", "--email", "a@example.org",
                    input="prompted password 1\nprompted password 1\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(User)).check_password("prompted password 1")


@pytest.mark.parametrize("args", [
    ["--email", "not-an-email", "--password", "a long enough password"],
    ["--email", "a@example.org", "--password", "short"],
])
def test_create_user_refuses_bad_input(invoke, args):
    result = invoke("create-user", *args)
    assert result.exit_code != 0 and "Error" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_create_user_refuses_a_duplicate(invoke):
    invoke("create-user", "--email", "a@example.org", "--password", "a long enough password")
    result = invoke("create-user", "--email", "A@example.org", "--password", "another password!")
    assert result.exit_code != 0


def test_load_contest_then_refuse_then_update_then_skip(invoke):
    result = invoke("load-contest", str(SEED_FILE))
    assert result.exit_code == 0 and "loaded contest zzcf-2014" in result.output
    contest = db.session.scalar(db.select(Contest))
    assert [t.name_zh for t in contest.themes] == [
        "安老", "抚孤", "扶贫", "济困", "助学", "助残", "助医", "心理援助", "文化建设", "环境保护"]
    assert [c.name_zh for c in contest.criteria] == ["创新性", "实践性", "可操作性"]
    assert [e.name_zh for e in contest.entrant_types] == [
        "高校社团组织", "NGO/社会组织", "社会各界爱心人士"]
    assert [r.name_zh for r in contest.rounds] == ["初审"]
    assert contest.proposal_limit == 3 and contest.status == "open"

    result = invoke("load-contest", str(SEED_FILE))
    assert result.exit_code != 0 and "--update" in result.output
    result = invoke("load-contest", str(SEED_FILE), "--update")
    assert result.exit_code == 0 and "updated" in result.output
    result = invoke("load-contest", str(SEED_FILE), "--skip-existing")
    assert result.exit_code == 0 and "already loaded" in result.output
    assert db.session.scalar(db.select(db.func.count(Contest.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Theme.id))) == 10


def test_prepare_migrates_loads_the_contest_once_and_makes_an_organizer(invoke):
    first = invoke("prepare", str(SEED_FILE))
    assert first.exit_code == 0, first.output
    assert "loaded contest zzcf-2014" in first.output and "Organizer account" in first.output
    again = invoke("prepare", str(SEED_FILE))
    assert again.exit_code == 0 and "already loaded" in again.output
    assert db.session.scalar(db.select(db.func.count(Contest.id))) == 1
    assert db.session.scalar(db.select(db.func.count(User.id)).filter_by(is_organizer=True)) == 1


def test_load_contest_reports_a_bad_file(invoke, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: Bad Slug!\n", encoding="utf-8")
    result = invoke("load-contest", str(bad))
    assert result.exit_code != 0 and "slug" in result.output


def test_contests_lists_slug_status_and_name(invoke, app_context):
    make_contest()
    make_contest(slug="zzcf-2013", opens="-400 days", deadline="-300 days")
    result = invoke("contests")
    lines = result.output.strip().splitlines()
    assert lines == ["zzcf-2013\tjudging\t郑州慈善总会第一届“志愿四方杯”慈善项目创投大赛",
                     "zzcf-2014\topen\t郑州慈善总会第一届“志愿四方杯”慈善项目创投大赛"]


def test_invite_judge_prints_the_link(invoke, client, app_context):
    make_contest()
    result = invoke("invite-judge", "--contest", "zzcf-2014", "--email", "expert@example.org")
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("http://portal.test/invitations/")
    assert db.session.scalar(db.select(Invitation)).email == "expert@example.org"
    assert client.get(link.replace("http://portal.test", "")).status_code == 200


def test_invite_judge_refuses_an_applicant_of_the_contest(invoke, app_context, applicant):
    contest = make_contest()
    make_proposal(contest, applicant)
    result = invoke("invite-judge", "--contest", "zzcf-2014", "--email", applicant.email)
    assert result.exit_code != 0


def test_invite_judge_needs_a_known_contest(invoke):
    result = invoke("invite-judge", "--contest", "nope", "--email", "a@example.org")
    assert result.exit_code != 0 and "nope" in result.output


def test_ensure_organizer_generates_a_password_once(invoke, app):
    first = invoke("ensure-organizer")
    assert first.exit_code == 0 and "password" in first.output
    password = first.output.strip().splitlines()[-1].split(": ")[-1]
    assert db.session.scalar(db.select(User)).check_password(password)
    second = invoke("ensure-organizer")
    assert "password" not in second.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_ensure_organizer_from_the_environment(invoke, app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_ADMIN_EMAIL", "boss@example.org")
    monkeypatch.setitem(app.config, "PORTAL_ADMIN_PASSWORD", "the boss's password")
    result = invoke("ensure-organizer")
    assert result.exit_code == 0 and "boss@example.org" in result.output
    boss = db.session.scalar(db.select(User))
    assert boss.is_organizer and boss.check_password("the boss's password")
