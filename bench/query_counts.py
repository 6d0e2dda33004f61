"""SQL statements per page and per export, for a contest of 10 and one of 1,000 proposals.

    python bench/query_counts.py q10 q1000

Needs the portal's environment and the two demo contests (seed-demo). Each page is requested
twice through Flask's test client, signed in as the organizer, the contest's first judge or its
first applicant; the second request is counted (the first fills the ranking's cache). Equal
counts for both sizes mean no N+1 query. Prints a JSON object: page -> {size: count}.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import DEMO_PASSWORD, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, emit  # noqa: E402

ORGANIZER_PAGES = {
    "admin_index": "/admin/",
    "proposal_table": "/admin/contests/{slug}/proposals?q=%E5%85%B3%E7%88%B1&sort=budget",
    "ranked_list": "/admin/contests/{slug}/ranking",
    "ranked_list_theme": "/admin/contests/{slug}/ranking?theme=elderly_care",
    "judge_statistics": "/admin/contests/{slug}/ranking/judges",
    "judges": "/admin/contests/{slug}/judges",
    "dashboard": "/admin/contests/{slug}/dashboard",
    "export_csv": "/admin/contests/{slug}/exports/download?format=csv&round=first",
    "export_xlsx": "/admin/contests/{slug}/exports/download?format=xlsx&round=first",
    "export_zip": "/admin/contests/{slug}/exports/download?format=zip&round=first",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("contests", nargs="+")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    # The exports written in the request at both sizes (above PORTAL_BACKGROUND_EXPORT_ROWS a
    # job builds them and the download answers with its progress page).
    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PORTAL_BACKGROUND_EXPORT_ROWS": 10 ** 9})
    counter = {"n": 0}
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute",
                 lambda *_args, **_kwargs: counter.__setitem__("n", counter["n"] + 1))

    def count(client, path):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        counter["n"] = 0
        response = client.get(path)
        response.get_data()
        return counter["n"]

    def signed_in(email, password):
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": password})
        if response.status_code not in (302, 303):
            raise RuntimeError(f"cannot sign in as {email}")
        return client

    counts = {}
    organizer = signed_in(ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
    for slug in args.contests:
        for label, path in ORGANIZER_PAGES.items():
            counts.setdefault(label, {})[slug] = count(organizer, path.format(slug=slug))
        judge = signed_in(f"judge1@judges.{slug}.demo", DEMO_PASSWORD)
        counts.setdefault("judge_assignments", {})[slug] = count(judge, "/judge")
        page = judge.get("/judge").get_data(as_text=True)
        assignment = page.split('href="/judge/assignments/', 1)[1].split('"', 1)[0].split("?")[0]
        counts.setdefault("judge_scoring", {})[slug] = count(
            judge, f"/judge/assignments/{assignment}?read=1")
        applicant = signed_in(f"applicant1@applicants.{slug}.demo", DEMO_PASSWORD)
        counts.setdefault("applicant_home", {})[slug] = count(applicant, "/my/proposals")
    emit(counts)


if __name__ == "__main__":
    main()
