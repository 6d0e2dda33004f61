"""A live session's pulse: the few figures a poll compares with its ETag (the version, the
activity counter, whether the audience page is open, the screen's secret and each judge's own
mark), read from Redis when `REDIS_URL` is configured and from one indexed statement otherwise.

The database stays the source of truth. Redis holds a mirror, written after each commit that
changes the session and refilled from the database when it is missing (flushed, expired, or
never written). A write only replaces an older mirror (the pair version, activity only grows),
so a slow refill cannot bring back a state that a newer commit replaced; and the mirror expires
after MIRROR_SECONDS, which bounds how long a mirror missed by a failed write can be wrong. When
Redis does not answer, the poll reads the database and Redis is left alone for a few seconds.
"""
import json
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select

from portal.database import run_after_commit
from portal.extensions import db
from portal.models import LivePitch, LiveReceipt, LiveSession

log = logging.getLogger(__name__)

MIRROR_SECONDS = 60
REDIS_PAUSE_SECONDS = 5.0
PREFIX = "portal:live:"

# Replace the mirror only when it is missing, older (version, then activity), or another
# session's (the screen's secret differs: ids reused by a restored or recreated database).
_STORE = """
local old = redis.call('HMGET', KEYS[1], 'v', 'a', 'tok')
local v, a = tonumber(ARGV[1]), tonumber(ARGV[2])
if old[1] and old[3] == ARGV[4] and
   (tonumber(old[1]) > v or (tonumber(old[1]) == v and tonumber(old[2]) > a)) then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'a', ARGV[2], 'pub', ARGV[3], 'tok', ARGV[4],
           'marks', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('SET', KEYS[2], ARGV[7], 'EX', ARGV[6])
return 1
"""


@dataclass
class Pulse:
    id: int
    version: int
    activity: int
    audience_public: bool
    screen_token: str
    marks: dict = field(default_factory=dict)   # judge id -> their own mark

    def mark(self, judge_id):
        """What of the session only this judge's phone shows: their receipts and a reminder."""
        return self.marks.get(judge_id, "0")


_SESSION_COLUMNS = (LiveSession.id, LiveSession.version, LiveSession.activity,
                    LiveSession.audience_public, LiveSession.screen_token)
_BY_ID = select(*_SESSION_COLUMNS).where(LiveSession.id == bindparam("key"))
_BY_TOKEN = select(*_SESSION_COLUMNS).where(LiveSession.screen_token == bindparam("key"))
_MINE = select(func.count(LiveReceipt.id)).where(
    LiveReceipt.session_id == LiveSession.id,
    LiveReceipt.judge_id == bindparam("judge")).scalar_subquery()
_REMINDED = select(LivePitch.reminded).where(
    LivePitch.id == LiveSession.current_pitch_id).scalar_subquery()
# A judge's poll: the session's figures and the judge's own mark, one statement.
_FOR_JUDGE = select(*_SESSION_COLUMNS, _MINE.label("mine"), _REMINDED.label("reminded")) \
    .where(LiveSession.id == bindparam("key"))
_ALL_MARKS = select(LiveReceipt.judge_id, func.count(LiveReceipt.id)).where(
    LiveReceipt.session_id == bindparam("key")).group_by(LiveReceipt.judge_id)
_CURRENT_REMINDED = select(LivePitch.reminded).join(
    LiveSession, LiveSession.current_pitch_id == LivePitch.id).where(
    LiveSession.id == bindparam("key"))


def _mark(receipts, reminded):
    return f"{receipts or 0}{'r' if reminded else ''}"


def _reminded_ids(value):
    if isinstance(value, str):   # SQLite's JSON read through a scalar subquery
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    return set(value) if isinstance(value, list) else set()


class Pulses:
    """Reads and writes pulses for one app: through `engine` (no ORM session, so that a poll
    answered before the Flask machinery costs one statement) and Redis when configured."""

    def __init__(self, engine, redis_url=None, prefix=PREFIX):
        self.engine = engine
        self.redis_url = redis_url
        self.prefix = prefix
        self._redis = None
        self._store = None
        self._paused_until = 0.0

    # Redis, paused for a few seconds after it failed
    def redis(self):
        if not self.redis_url or time.monotonic() < self._paused_until:
            return None
        if self._redis is None:
            import redis
            self._redis = redis.Redis.from_url(self.redis_url, socket_timeout=0.25,
                                               socket_connect_timeout=0.25)
            self._store = self._redis.register_script(_STORE)
        return self._redis

    def failed(self, error):
        log.warning("live pulse: Redis failed (%s); the database answers for %ss",
                    type(error).__name__, REDIS_PAUSE_SECONDS)
        self._paused_until = time.monotonic() + REDIS_PAUSE_SECONDS

    # The database
    def _row(self, statement, **params):
        with self.engine.connect() as connection:
            return connection.execute(statement, params).mappings().first()

    def from_database(self, live_id=None, token=None, with_marks=True):
        row = self._row(_BY_ID if live_id is not None else _BY_TOKEN,
                        key=live_id if live_id is not None else token)
        if row is None:
            return None
        pulse = Pulse(row["id"], row["version"], row["activity"], bool(row["audience_public"]),
                      row["screen_token"])
        if with_marks:
            with self.engine.connect() as connection:
                counts = dict(connection.execute(_ALL_MARKS, {"key": pulse.id}).all())
                reminded = _reminded_ids(connection.execute(
                    _CURRENT_REMINDED, {"key": pulse.id}).scalar())
            pulse.marks = {judge: _mark(counts.get(judge), judge in reminded)
                           for judge in set(counts) | reminded}
        return pulse

    def judge_pulse(self, live_id, judge_id):
        """The session's pulse with this judge's mark (Redis, else one statement)."""
        pulse = self._from_redis(live_id=live_id)
        if pulse is not None:
            return pulse
        row = self._row(_FOR_JUDGE, key=live_id, judge=judge_id)
        if row is None:
            return None
        mark = _mark(row["mine"], judge_id in _reminded_ids(row["reminded"]))
        return Pulse(row["id"], row["version"], row["activity"], bool(row["audience_public"]),
                     row["screen_token"], {judge_id: mark})

    # Redis's mirror
    def _from_redis(self, live_id=None, token=None):
        client = self.redis()
        if client is None:
            return None
        try:
            if live_id is None:
                found = client.get(self.prefix + "screen:" + token)
                if found is None:
                    return self._refill(token=token)
                live_id = int(found)
            values = client.hmget(f"{self.prefix}{live_id}", "v", "a", "pub", "tok", "marks")
        except Exception as error:   # any failure of Redis: the database answers
            self.failed(error)
            return None
        if values[0] is None:
            return self._refill(live_id=live_id)
        pulse = Pulse(live_id, int(values[0]), int(values[1]), values[2] == b"1",
                      values[3].decode(), {int(judge): mark for judge, mark in
                                           json.loads(values[4] or b"{}").items()})
        if token is not None and pulse.screen_token != token:
            return None
        return pulse

    def _refill(self, live_id=None, token=None):
        pulse = self.from_database(live_id=live_id, token=token)
        if pulse is not None:
            self.mirror(pulse)
        return pulse

    def mirror(self, pulse):
        """Write the pulse to Redis unless a newer one is there."""
        client = self.redis()
        if client is None:
            return
        try:
            self._store(keys=[f"{self.prefix}{pulse.id}",
                              f"{self.prefix}screen:{pulse.screen_token}"],
                        args=[pulse.version, pulse.activity, int(pulse.audience_public),
                              pulse.screen_token, json.dumps(
                                  {str(judge): mark for judge, mark in pulse.marks.items()}),
                              MIRROR_SECONDS, pulse.id])
        except Exception as error:
            self.failed(error)

    def forget(self, live_id):
        """Drop the mirror before a change commits: a poll in between reads the database."""
        client = self.redis()
        if client is None:
            return
        try:
            client.delete(f"{self.prefix}{live_id}")
        except Exception as error:
            self.failed(error)

    def pulse(self, live_id=None, token=None):
        """The session's pulse, by id or by the screen's secret; None when there is none."""
        pulse = self._from_redis(live_id=live_id, token=token)
        if pulse is None:
            pulse = self.from_database(live_id=live_id, token=token, with_marks=False)
        return pulse


def pulses_for(app):
    """The app's pulses (one per app and process: the engine is bound to the app)."""
    found = app.extensions.get("live_pulses")
    if found is None:
        with app.app_context():
            engine = db.engine
        found = app.extensions["live_pulses"] = Pulses(
            engine, app.config.get("REDIS_URL"),
            app.config.get("PORTAL_LIVE_REDIS_PREFIX") or PREFIX)
    return found


def changed(live):
    """A change of `live` is being written: drop the mirror now, write it once committed."""
    from flask import current_app
    pulses = pulses_for(current_app._get_current_object())
    if not pulses.redis_url:
        return
    pulses.forget(live.id)

    def write():
        pulse = pulses.from_database(live_id=live.id)
        if pulse is not None:
            pulses.mirror(pulse)

    run_after_commit(write)
