"""The server errors in a portal's gunicorn log, each with its route, request id and traceback.

    python bench/server_log.py LOG     # prints each error, then their number on the last line

The log holds the portal's JSON lines (portal.logging_config: access lines with a status, and
records with level, message, request_id and their traceback in "exception"), and older plain
records (Flask's
"[time] ERROR in app: Exception on /path [POST] [request <id>]" and the portal's own, each
exception followed by its traceback) and gunicorn's ("[time] [pid] [ERROR] Error handling
request ..."). A 5xx access line and the tracebacks logged under the same request id are one
error; a traceback without a request id is an error of its own (gunicorn's, or one logged
outside a request), so that nothing counted goes unexplained. Used by `make security`
(tests/security/run.sh) and the load tests (loadlib.Gunicorn.server_errors).
"""
import json
import re
import sys

REQUEST_ID_RE = re.compile(r"\[request ([A-Za-z0-9._-]+)\]")
ROUTE_RE = re.compile(r"Exception on (\S+) \[([A-Z]+)\]|Error handling request (\S+)")
# A new record starts with a timestamp in brackets (Flask, gunicorn) or is a JSON access line.
RECORD_START_RE = re.compile(r"^(\[\d|\{)")


def _records(lines):
    """Each log record as (first line, following lines)."""
    record = None
    for line in lines:
        if record is None or RECORD_START_RE.match(line):
            if record is not None:
                yield record
            record = (line, [])
        else:
            record[1].append(line)
    if record is not None:
        yield record


def _json_entry(line):
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def _access_line(entry):
    return entry if entry is not None and "status" in entry else None


def _logged_error(entry):
    """A JSON log record (portal.logging_config) that reports an error: one with a traceback, or
    gunicorn's worker timeout, as in the plain records (a worker killed on purpose, which
    gunicorn logs as an ERROR without a traceback, is not the portal's error)."""
    return entry is not None and bool(entry.get("exception") or
                                      "WORKER TIMEOUT" in str(entry.get("message", "")))


def server_errors(text):
    """The errors in the log `text`, in order: dicts with method, route, status, request_id
    and traceback (each may be None or empty)."""
    errors, by_request = [], {}

    def error_for(request_id):
        if request_id and request_id in by_request:
            return by_request[request_id]
        error = {"method": None, "route": None, "status": None, "request_id": request_id,
                 "traceback": ""}
        errors.append(error)
        if request_id:
            by_request[request_id] = error
        return error

    answered = {}
    for first, rest in _records(text.splitlines()):
        logged = _json_entry(first) if first.startswith("{") else None
        entry = _access_line(logged)
        if entry is not None:
            answered[entry.get("request_id")] = entry
            if str(entry["status"]).startswith("5"):
                error_for(entry.get("request_id"))
            continue
        if logged is not None:
            if _logged_error(logged):
                _add_logged(error_for(logged.get("request_id") or _request_id_in(
                    logged.get("message", ""))), logged)
            continue
        body = [first, *rest] if first.startswith("Traceback") else rest
        if not any(line.startswith("Traceback") for line in body) and \
                "WORKER TIMEOUT" not in first:
            continue
        found = REQUEST_ID_RE.search(first)
        error = error_for(found.group(1) if found else None)
        route = ROUTE_RE.search(first)
        if route and error["route"] is None:
            error["route"] = route.group(1) or route.group(3)
            error["method"] = error["method"] or route.group(2)
        error["traceback"] += "\n".join([first, *rest]).strip() + "\n"
    # An exception logged during a request that still answered (an after-commit action, a
    # response that failed while streaming) is placed by that request's access line.
    for error in errors:
        entry = answered.get(error["request_id"])
        if entry:
            error.update(method=entry.get("method"), route=entry.get("route"),
                         status=entry["status"])
    return errors


def _request_id_in(message):
    found = REQUEST_ID_RE.search(message)
    return found.group(1) if found else None


def _add_logged(error, logged):
    message = str(logged.get("message", ""))
    route = ROUTE_RE.search(message)
    if route and error["route"] is None:
        error["route"] = route.group(1) or route.group(3)
        error["method"] = error["method"] or route.group(2)
    error["traceback"] += "\n".join(filter(None, [message, logged.get("exception")])).strip() \
        + "\n"


def last_line(traceback):
    """The exception of a traceback: its last line that is not indented (nor a SQL or link
    line of SQLAlchemy's)."""
    lines = [line for line in traceback.splitlines()
             if line and not line[0].isspace() and line[0] not in "[("]
    if not lines:  # a gunicorn line without a traceback (a worker timeout)
        lines = traceback.splitlines()[:1]
    return lines[-1][:300] if lines else ""


def summary(error):
    return (f"{error['method'] or '?'} {error['route'] or '(route unknown)'} "
            f"{error['status'] or '(no answer logged)'} request {error['request_id'] or '?'}: "
            f"{last_line(error['traceback']) or '(no traceback logged)'}")


def main(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        errors = server_errors(log.read())
    for error in errors:
        print("server error:", summary(error))
        if error["traceback"]:
            print("    " + error["traceback"].rstrip().replace("\n", "\n    "))
    print(len(errors))


if __name__ == "__main__":
    main(sys.argv[1])
