"""What every page a journey visits must satisfy: an axe-core scan with no serious or critical
WCAG 2 A/AA violation, the right `lang`, and on a phone no horizontal scrolling, a working menu
and visible submit buttons. Browser-wide: no request off localhost, no console error."""
import re
from urllib.parse import urlsplit

AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")
LOCAL_HOSTS = ("127.0.0.1", "localhost")
PHONE = {"width": 375, "height": 812}
SCANNED = []  # (step, path) of every page checked in this run, for the summary at the end
DESKTOP = {"width": 1280, "height": 900}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                          summary: n.failureSummary}))}));
}"""

# Every form in the page's content: its submit controls must be visible and, once scrolled to
# (a wide table scrolls inside its container), inside the screen.
SUBMIT_CONTROLS = """() => {
  const hidden = el => !(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const found = Array.from(document.querySelectorAll(
      'main form button[type=submit], main form button:not([type]), main form input[type=submit]'))
    .filter(el => !el.closest('[hidden], .d-none, details:not([open]), .collapse:not(.show)'))
    .map(el => { el.scrollIntoView({block: 'nearest', inline: 'nearest'});
      const r = el.getBoundingClientRect();
      return {text: (el.innerText || el.value || '').trim().slice(0, 60), hidden: hidden(el),
              left: r.left, right: r.right}; });
  window.scrollTo(0, 0);
  return found;
}"""


# Tables whose rows carry buttons but that still scroll sideways: on a phone their buttons
# would sit past the screen's edge (such tables stack, see .table-stack in portal.css).
SCROLLING_BUTTON_TABLES = """() => Array.from(document.querySelectorAll('main table'))
  .filter(table => table.querySelector('tbody .btn'))
  .filter(table => (table.parentElement.scrollWidth > table.parentElement.clientWidth + 1)
                   || table.getBoundingClientRect().right > window.innerWidth + 1)
  .map(table => (table.querySelector('caption') || table).innerText.trim().slice(0, 60))"""


# The outermost elements that stick out to the right of the screen: the culprits of sideways
# scrolling.
OVERFLOWING = """(limit) => Array.from(document.querySelectorAll('body *'))
  .filter(el => el.getBoundingClientRect().right > limit + 1
          && el.parentElement.getBoundingClientRect().right <= limit + 1)
  .slice(0, 5).map(el => el.outerHTML.slice(0, 160))"""


CSP_LISTENER = """document.addEventListener('securitypolicyviolation', (event) =>
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI));"""


class BrowserLog:
    """Every request and every console error of a browser context, checked at the end."""

    def __init__(self):
        self.requests = []
        self.errors = []
        self.dialogs = []

    def watch(self, context):
        # Chromium reports CSP violations in the console already; this makes sure of it.
        context.add_init_script(CSP_LISTENER)
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("page", self._watch_page)

    def _watch_page(self, page):
        page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"console error on {page.url}: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(
            f"uncaught exception on {page.url}: {error}"))
        page.on("dialog", self._accept)

    def _accept(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.accept()

    def off_localhost(self):
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob", "about")
                and urlsplit(url).hostname not in LOCAL_HOSTS]


class PageChecks:
    """Run on each page a journey reaches; collects what it finds instead of stopping at the
    first page, so one run lists every problem."""

    def __init__(self, lang, phone, screenshots=None):
        self.lang = lang
        self.phone = phone
        self.screenshots = screenshots  # a folder, or None
        self.visited = []
        self.problems = []

    def __call__(self, page, name, screenshot=False, full_page=False):
        """Check the page that is showing now; `name` says which step of the journey it is."""
        page.wait_for_load_state("load")
        if screenshot and self.screenshots is not None:  # before the checks open the menu
            page.screenshot(path=str(self.screenshots / f"{name}.png"), full_page=full_page)
        path = urlsplit(page.url).path
        self.visited.append((name, path))
        SCANNED.append((name, path))
        where = f"{name} ({path})"
        lang = page.evaluate("document.documentElement.lang")
        if lang != self.lang:
            self.problems.append(f"{where}: <html lang={lang!r}>, expected {self.lang!r}")
        for violation in self.axe(page):
            for node in violation["nodes"]:
                summary = " ".join(node["summary"].split())
                self.problems.append(f"axe {violation['impact']} {violation['id']} on {where}: "
                                     f"{node['target']} -- {node['html']} -- {summary}")
        if self.phone:
            self.check_phone_layout(page, where)

    def report(self):
        """The problems found, one line each, the same problem on several pages once."""
        seen, lines = set(), []
        for problem in self.problems:
            key = re.sub(r" on [^:]*\)?:", ":", problem)
            if key not in seen:
                seen.add(key)
                lines.append(problem)
        return f"{len(self.problems)} problem(s) on {len(self.visited)} pages:\n" + "\n".join(lines)

    @staticmethod
    def axe(page):
        if not page.evaluate("typeof window.axe === 'object'"):
            page.add_script_tag(url=AXE_URL)
        violations = page.evaluate(RUN_AXE, AXE_TAGS)
        return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]

    def check_phone_layout(self, page, where):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide = page.evaluate(OVERFLOWING, PHONE["width"])
            self.problems.append(f"{where}: scrolls sideways ({width} px wide): {wide}")
        for caption in page.evaluate(SCROLLING_BUTTON_TABLES):
            self.problems.append(f"{where}: the table {caption!r} has row buttons but scrolls "
                                 f"sideways")
        for control in page.evaluate(SUBMIT_CONTROLS):
            if control["hidden"] or control["left"] < 0 or control["right"] > PHONE["width"] + 1:
                self.problems.append(f"{where}: submit button {control['text']!r} is not visible "
                                     f"on the screen ({control})")
        self.check_menu(page, where)

    def check_menu(self, page, where):
        """The toggler opens the main menu, whose links are then visible and inside the screen."""
        from playwright.sync_api import TimeoutError
        toggler = page.locator("nav .navbar-toggler")
        if not toggler.is_visible():
            self.problems.append(f"{where}: the menu button is not visible on a phone")
            return
        toggler.click()
        menu = page.locator("#main-nav")
        try:
            page.wait_for_function(
                "() => { const m = document.getElementById('main-nav');"
                " return m.classList.contains('show') && !m.classList.contains('collapsing'); }",
                timeout=3000)
        except TimeoutError:
            self.problems.append(f"{where}: the menu button does not open the menu")
            return
        if toggler.get_attribute("aria-expanded") != "true":
            self.problems.append(f"{where}: the menu button does not say the menu is open")
        for control in menu.locator("a, button").all():
            box = control.bounding_box()
            if not control.is_visible() or box is None or box["x"] < 0 \
                    or box["x"] + box["width"] > PHONE["width"] + 1:
                self.problems.append(f"{where}: menu item {control.inner_text()!r} is not "
                                     f"visible in the open menu")
                continue
            try:  # enabled, steady and not covered by anything: a tap would reach it
                control.click(trial=True, timeout=2000)
            except TimeoutError:
                self.problems.append(f"{where}: menu item {control.inner_text()!r} cannot be "
                                     f"tapped")
        toggler.click()
        page.wait_for_function(
            "() => { const m = document.getElementById('main-nav');"
            " return !m.classList.contains('show') && !m.classList.contains('collapsing'); }",
            timeout=3000)


def logged_in_page(context, portal, email, password):
    """A new page of `context`, logged in through the login form."""
    page = context.new_page()
    page.goto(portal.url("/login"))
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert "/login" not in page.url
    return page
