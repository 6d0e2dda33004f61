"""The WSGI entry point: `gunicorn wsgi:app`."""
from portal import create_app
from portal.proposals.storage import sweep_temporary_files

app = create_app()

# Uploads interrupted by a crash leave temporary files behind: clear them at start-up.
with app.app_context():
    sweep_temporary_files()
