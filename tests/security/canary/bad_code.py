"""Code the semgrep rules must flag: run.sh checks that every rule still fires here.
Never imported; not part of the portal."""
from flask import render_template_string
from markupsafe import Markup
from sqlalchemy import text

WTF_CSRF_ENABLED = False


def lookup(db, name):
    db.session.execute(text(f"SELECT * FROM users WHERE email = '{name}'"))
    query = "SELECT * FROM proposals WHERE title LIKE '%" + name + "%'"
    return db.session.execute(text(query))


def greet(name):
    return Markup(f"<b>{name}</b>") + render_template_string("Hello " + name)
