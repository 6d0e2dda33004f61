"""The ranked list's uncertainty figures (the bootstrap: seconds at 10,000 proposals) are
computed by a job after the scores change; meanwhile the page shows the last ones stored and
says that they are being recomputed."""
import time

from portal.database import job_transactions
from portal.extensions import db
from portal.jobs.queue import huey, job
from portal.models import Round
from portal.results.ranking import round_ranking, stored_intervals

# A round's figures for one version of the scores are asked of the queue at most once in this
# many seconds (a job lost with its worker is asked for again after it).
ASK_AGAIN_SECONDS = 600


def ranking_with_last_intervals(contest, contest_round):
    """The ranked list with the figures of the current scores when they are stored; else with
    the last ones (`recomputing` set) while a job computes the current ones."""
    ranked = round_ranking(contest, contest_round, with_intervals=False)
    if ranked.fingerprint is None:   # no review: no figures
        return ranked
    stored = stored_intervals(contest_round.id)
    if stored is None or stored[0] != ranked.fingerprint:
        _ask_for(contest_round.id, ranked.fingerprint)
        # Read where the job's commit shows (it ran already when jobs run in the request).
        with db.engine.connect() as connection:
            stored = stored_intervals(contest_round.id, connection)
    if stored is not None:
        ranked.intervals = stored[1]
    ranked.recomputing = stored is None or stored[0] != ranked.fingerprint
    return ranked


def _ask_for(round_id, fingerprint):
    if not huey.immediate:
        key = f"intervals:{round_id}:{fingerprint}:{int(time.time() // ASK_AGAIN_SECONDS)}"
        if not huey.put_if_empty(key, "1"):
            return   # asked already
    compute_round_intervals(round_id)


@job()
def compute_round_intervals(round_id):
    """Compute and store the round's figures for its current scores, in a reading transaction
    (the figures are stored in a short one of their own)."""
    with job_transactions(write=False):
        contest_round = db.session.get(Round, round_id)
        if contest_round is not None:
            round_ranking(contest_round.contest, contest_round, with_intervals=True)
        db.session.rollback()
