#!/usr/bin/env bash
# `make security`: static analysis of the code, then real attack tools against a running portal.
#
#   1. bandit on portal/: no finding of medium or high severity (a `# nosec` says why).
#   2. semgrep with the rules in tests/security/semgrep.yml: no finding; the rules must still
#      fire on tests/security/canary/, so that a rule that stops matching is noticed.
#   3. A fresh portal (SQLite, seeded by `flask seed-demo`) under gunicorn on a free localhost
#      port, logged in as an applicant, a judge and an organizer:
#      sqlmap (--level 3 --risk 2) on the search, filter and form parameters, and wapiti on the
#      whole site (scope: this address only, no module that calls out): no injection, no XSS,
#      and no server error in the portal's log.
#
# The scanners live in .venv-security (bandit, semgrep, sqlmap) and .venv-security/wapiti
# (wapiti3 pins older Flask, SQLAlchemy and MarkupSafe), never in the app's .venv.
# About 8 minutes, plus 4 to 5 for the first install of the scanners. Wapiti's crawl budgets
# (seconds): SECURITY_WAPITI_SECONDS (each role, 120) and SECURITY_WAPITI_ORGANIZER_SECONDS
# (150); set SECURITY_KEEP_WORK=1 to keep the reports and the portal's log.
set -euo pipefail
cd "$(dirname "$0")/../.."

HERE=tests/security
APP_BIN=.venv/bin
VENV=.venv-security
WAPITI_VENV=$VENV/wapiti
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
WAPITI_SECONDS=${SECURITY_WAPITI_SECONDS:-120}
WAPITI_ORGANIZER_SECONDS=${SECURITY_WAPITI_ORGANIZER_SECONDS:-150}
DEMO_PASSWORD="demo password 2014"
ORGANIZER_EMAIL="scan.organizer@example.org"
ORGANIZER_PASSWORD="scan organizer $(date +%s) password"
APPLICANT_EMAIL="applicant1@applicants.demo.demo"
JUDGE_EMAIL="judge1@judges.demo.demo"

declare -a SUMMARY=()
FAILED=0
pass() { SUMMARY+=("PASS  $1"); }
fail() { SUMMARY+=("FAIL  $1"); FAILED=1; }
step() { echo; echo "== $1"; }

if [ ! -x "$APP_BIN/flask" ]; then
    echo "the app's virtualenv is missing: run 'make install' first" >&2
    exit 2
fi

# --- The scanners' virtualenvs (reinstalled only when a requirements file changes) -----------
install_venv() {  # install_venv DIR REQUIREMENTS
    local dir=$1 requirements=$2 stamp
    stamp="$dir/.installed-$(sha256sum "$requirements" | cut -c1-16)"
    if [ -f "$stamp" ]; then return 0; fi
    echo "installing $requirements into $dir"
    rm -rf "$dir/bin" "$dir/lib" "$dir/include" "$dir/pyvenv.cfg" "$dir"/.installed-*
    "$PYTHON" -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --upgrade pip
    "$dir/bin/python" -m pip install --quiet -r "$requirements"
    touch "$stamp"
}
# semgrep's registry and version server are out of reach here: without this, `semgrep
# --version` alone waits minutes for them to time out.
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
step "scanners"
install_venv "$VENV" "$HERE/requirements.txt"
install_venv "$WAPITI_VENV" "$HERE/requirements-wapiti.txt"
"$VENV/bin/bandit" --version | head -n1
echo "semgrep $("$VENV/bin/semgrep" --version)"
echo "sqlmap $("$VENV/bin/sqlmap" --version 2>/dev/null | tail -n1)"
echo "wapiti $("$WAPITI_VENV/bin/wapiti" --version 2>/dev/null | tail -n1)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portal-security.XXXXXX")
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -z "${SECURITY_KEEP_WORK:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

# --- 1. bandit ----------------------------------------------------------------------------------
step "bandit on portal/ (medium and high severity)"
if "$VENV/bin/bandit" -r portal --severity-level medium --quiet --format txt \
        > "$WORK/bandit.txt" 2>&1; then
    pass "bandit: no medium or high finding ($("$VENV/bin/bandit" -r portal --quiet \
        --format csv 2>/dev/null | tail -n +2 | grep -c . || true) low ones, not gating)"
else
    cat "$WORK/bandit.txt"
    fail "bandit: findings of medium or high severity (above)"
fi

# --- 2. semgrep -----------------------------------------------------------------------------------
SEMGREP=("$VENV/bin/semgrep" scan --config "$HERE/semgrep.yml" --metrics=off
         --disable-version-check --quiet)
step "semgrep with tests/security/semgrep.yml"
if "${SEMGREP[@]}" --error portal templates wsgi.py > "$WORK/semgrep.txt" 2>&1; then
    pass "semgrep: no finding in portal/, templates/, wsgi.py"
else
    cat "$WORK/semgrep.txt"
    fail "semgrep: findings (above)"
fi
# The canary holds one violation per rule; semgrep skips tests/ folders, so scan a copy.
mkdir -p "$WORK/canary"
cp "$HERE"/canary/* "$WORK/canary/"
"${SEMGREP[@]}" --json "$WORK/canary" > "$WORK/canary.json" 2>/dev/null || true
missing=$("$APP_BIN/python" - "$HERE/semgrep.yml" "$WORK/canary.json" <<'PY'
import json, re, sys
rules = re.findall(r"^  - id: (\S+)", open(sys.argv[1]).read(), re.M)
fired = {r["check_id"].rsplit(".", 1)[-1] for r in json.load(open(sys.argv[2]))["results"]}
print(" ".join(rule for rule in rules if rule not in fired))
PY
)
if [ -z "$missing" ]; then
    pass "semgrep: every rule still fires on the canary"
else
    fail "semgrep: rules no longer firing on the canary: $missing"
fi

# --- 3. A running portal ------------------------------------------------------------------------
step "a fresh portal under gunicorn"
PORT=$("$APP_BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export PORTAL_INSTANCE_PATH="$WORK/instance" DATABASE_URL="sqlite:///$WORK/instance/portal.sqlite3"
export SECRET_KEY
SECRET_KEY=$("$APP_BIN/python" -c 'import secrets; print(secrets.token_hex(32))')
export PORTAL_BASE_URL="$BASE" PORTAL_ENV=development
export PORTAL_ADMIN_EMAIL="$ORGANIZER_EMAIL" PORTAL_ADMIN_PASSWORD="$ORGANIZER_PASSWORD"
# The scanners send thousands of logins: throttling would only hide the forms from them.
export RATELIMIT_ENABLED=0
unset REDIS_URL
mkdir -p "$PORTAL_INSTANCE_PATH"
FLASK=("$APP_BIN/flask" --app portal)
"${FLASK[@]}" db upgrade > "$WORK/setup.log" 2>&1
"${FLASK[@]}" seed-demo --proposals 30 --judges 6 >> "$WORK/setup.log" 2>&1
"${FLASK[@]}" ensure-organizer >> "$WORK/setup.log" 2>&1
PORT=$PORT GUNICORN_WORKERS=3 "$APP_BIN/gunicorn" -c gunicorn.conf.py wsgi:app \
    > "$WORK/portal.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
    sleep 0.5
done
curl -fsS -o /dev/null "$BASE/healthz"
echo "portal at $BASE (log: portal.log in the work folder)"

cookie_for() { "$APP_BIN/python" "$HERE/login_cookie.py" "$BASE" "$1" "$2"; }
ORGANIZER_COOKIE=$(cookie_for "$ORGANIZER_EMAIL" "$ORGANIZER_PASSWORD")
JUDGE_COOKIE=$(cookie_for "$JUDGE_EMAIL" "$DEMO_PASSWORD")
APPLICANT_COOKIE=$(cookie_for "$APPLICANT_EMAIL" "$DEMO_PASSWORD")

expect_page() {  # expect_page COOKIE URL: the target must answer 200 with that session
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $1" "$2")
    if [ "$status" != 200 ]; then echo "$2 answered $status, not 200" >&2; return 1; fi
}

# --- 3a. sqlmap ------------------------------------------------------------------------------------
step "sqlmap --level 3 --risk 2 on search, filter and form parameters"
# --dbms: the instance runs on SQLite, so payloads for other databases would only cost time.
# --timeout/--retries: the scanners share three workers, so a reply may queue for a while.
SQLMAP=("$VENV/bin/sqlmap" --batch --level 3 --risk 2 --dbms=SQLite --disable-coloring
        --timeout 60 --retries 5 --flush-session --output-dir "$WORK/sqlmap")
declare -A SQLMAP_JOBS=()
sqlmap_target() {  # sqlmap_target NAME ARGS...: in the background, output in WORK/sqlmap-NAME.txt
    local name=$1; shift
    "${SQLMAP[@]}" "$@" > "$WORK/sqlmap-$name.txt" 2>&1 &
    SQLMAP_JOBS[$name]=$!
}
PROPOSALS_URL="$BASE/admin/contests/demo/proposals?q=test&theme=elderly_care&status=submitted&sort=reference&dir=asc"
JUDGE_URL="$BASE/judge?theme=elderly_care&unscored=1"
expect_page "$ORGANIZER_COOKIE" "$PROPOSALS_URL"
expect_page "$JUDGE_COOKIE" "$JUDGE_URL"
sqlmap_target organizer-proposal-search -u "$PROPOSALS_URL" --cookie "$ORGANIZER_COOKIE" \
    -p "q,theme,status,sort,dir" --threads 2
sqlmap_target judge-filter -u "$JUDGE_URL" --cookie "$JUDGE_COOKIE" -p "theme,unscored" \
    --threads 2
# Forms with a CSRF token: sqlmap GETs the form for a fresh token (and its session cookie)
# before each POST (one thread only), so every payload reaches the form's own code. No
# `--method POST`: sqlmap would then fetch the token with a bodiless POST, which CSRF refuses.
FORM_TARGET=(--csrf-token csrf_token --csrf-method GET --csrf-retries 3)
sqlmap_target login -u "$BASE/login" "${FORM_TARGET[@]}" --csrf-url "$BASE/login" \
    --data "csrf_token=x&email=someone%40example.org&password=a+long+wrong+password" \
    -p "email,password"
sqlmap_target register -u "$BASE/register" "${FORM_TARGET[@]}" --csrf-url "$BASE/register" \
    --data "csrf_token=x&email=new%40example.org&display_name=Someone&password=a+long+new+password&confirm=a+long+new+password&consent=y" \
    -p "email,display_name"

# --- 3b. wapiti (defined here, started now beside sqlmap; the organizer's scan comes last,
# alone, since it may deactivate judges or archive the contest) ----------------------------------
WAPITI_MODULES="xss,permanentxss,sql,exec,file,crlf,redirect"
# Modules that call out to the Internet (ssrf, xxe, wapp, nikto...) are left out; so are the
# actions that would end the scanner's session or account.
wapiti_role() {  # wapiti_role NAME [COOKIE [SECONDS]]
    local name=$1 cookie=${2:-} seconds=${3:-$WAPITI_SECONDS}
    local args=(-u "$BASE/" --scope folder -m "$WAPITI_MODULES" --flush-session
                --store-session "$WORK/wapiti-$name" --store-config "$WORK/wapiti-$name"
                --max-scan-time "$seconds" --max-attack-time 45 -d 4
                --max-links-per-page 40 --max-files-per-dir 30 --no-bugreport --tasks 8
                -x "$BASE/logout" -x "$BASE/language" -x "$BASE/language*"
                -x "$BASE/account/delete" -x "$BASE/account/password"
                -x "$BASE/account/two-step/disable" -x "$BASE/static/*"
                -f json -o "$WORK/wapiti-$name.json")
    if [ -n "$cookie" ]; then args+=(-C "$cookie"); fi
    "$WAPITI_VENV/bin/wapiti" "${args[@]}" > "$WORK/wapiti-$name.log" 2>&1
}
wapiti_verdict() {  # wapiti_verdict NAME
    local report="$WORK/wapiti-$1.json" verdict
    if [ ! -s "$report" ]; then
        tail -n 20 "$WORK/wapiti-$1.log"
        fail "wapiti $1: no report (above)"
        return
    fi
    verdict=$("$APP_BIN/python" - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
GATING = ("Cross Site Scripting", "SQL Injection", "Command execution", "Path Traversal",
          "CRLF Injection", "Open Redirect", "Internal Server Error")
found = {name: len(items) for kind in ("vulnerabilities", "anomalies")
         for name, items in report.get(kind, {}).items() if items}
gating = {name: count for name, count in found.items() if any(g in name for g in GATING)}
pages = report.get("infos", {}).get("crawled_pages_nbr", "?")
print(("FAIL " if gating else "PASS ") + f"{pages} pages crawled; findings: {found or 'none'}")
for name in gating:
    for item in [i for k in ("vulnerabilities", "anomalies")
                 for i in report.get(k, {}).get(name, [])][:5]:
        print(f"    {name}: {item.get('method')} {item.get('path')} {item.get('parameter')}")
PY
)
    echo "$verdict"
    case "$verdict" in
        PASS*) pass "wapiti $1: ${verdict#PASS }" ;;
        *) fail "wapiti $1: ${verdict#FAIL }" ;;
    esac
}
wapiti_role anonymous &
anonymous_job=$!
wapiti_role applicant "$APPLICANT_COOKIE" &
applicant_job=$!
wapiti_role judge "$JUDGE_COOKIE" &
judge_job=$!

for name in "${!SQLMAP_JOBS[@]}"; do
    wait "${SQLMAP_JOBS[$name]}" || true
    out="$WORK/sqlmap-$name.txt"
    if grep -aqE "identified the following injection point|is vulnerable" "$out"; then
        grep -aA12 "identified the following injection point" "$out" || true
        fail "sqlmap $name: injection found"
    elif grep -aq "all tested parameters do not appear to be injectable" "$out"; then
        pass "sqlmap $name: no injection ($(grep -ac "does not seem to be injectable" "$out") parameters tested)"
    else
        tail -n 20 "$out"
        echo "the portal's own warnings and errors so far:"
        grep -v '^{' "$WORK/portal.log" | grep -E 'WARNING|ERROR|CRITICAL|Traceback' | tail -n 20 || true
        fail "sqlmap $name: did not complete (above)"
    fi
done

step "wapiti on the site, as each role (crawls of ${WAPITI_SECONDS}s, the organizer's ${WAPITI_ORGANIZER_SECONDS}s)"
wait "$anonymous_job" || true; wapiti_verdict anonymous
wait "$applicant_job" || true; wapiti_verdict applicant
wait "$judge_job" || true; wapiti_verdict judge
wapiti_role organizer "$ORGANIZER_COOKIE" "$WAPITI_ORGANIZER_SECONDS" || true
wapiti_verdict organizer

# --- 3c. The portal's own log: a scanner's input must never cause a server error ---------------
step "server errors in the portal's log"
# Each error with its route, request id and traceback (bench/server_log.py); the count last.
"$APP_BIN/python" bench/server_log.py "$WORK/portal.log" > "$WORK/server-errors.txt"
errors=$(tail -n 1 "$WORK/server-errors.txt")
head -n -1 "$WORK/server-errors.txt"
requests=$(grep -c '"status"' "$WORK/portal.log" || true)
if [ "$errors" = 0 ]; then
    pass "portal log: $requests requests, no server error"
else
    fail "portal log: $errors server errors of $requests requests (each above, with its traceback)"
fi

# --- Summary --------------------------------------------------------------------------------------
echo
echo "== security summary"
printf '%s\n' "${SUMMARY[@]}"
if [ "$FAILED" != 0 ]; then
    echo "make security: FAILED"
    exit 1
fi
echo "make security: passed"
