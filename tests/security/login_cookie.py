"""Log in to a running portal and print the session cookie ("session=..."), for the scanners.

Usage: python login_cookie.py BASE_URL EMAIL PASSWORD   (standard library only)
"""
import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request


def session_cookie(base_url, email, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base_url}/login", timeout=30).read().decode("utf-8")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    data = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email,
                                   "password": password}).encode()
    response = opener.open(f"{base_url}/login", data=data, timeout=30)
    if response.url.rstrip("/").endswith("/login"):
        raise SystemExit(f"login as {email} failed")
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "session" not in cookies:
        raise SystemExit("no session cookie after login")
    return f"session={cookies['session']}"


if __name__ == "__main__":
    print(session_cookie(*sys.argv[1:4]))
