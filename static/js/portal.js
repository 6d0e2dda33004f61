/* Progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // Ask before destructive actions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var button = event.submitter || event.target.querySelector("[data-confirm]");
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // A refused form: the summary at the top lists what to fix; the focus goes to the first
  // invalid field, which brings it and its message into view (the page reloads at the top).
  if (document.querySelector("[data-error-summary]")) {
    var invalid = document.querySelector("main [aria-invalid='true']");
    if (invalid) {
      invalid.focus({ preventScroll: true });
      (invalid.closest("fieldset, .mb-3") || invalid).scrollIntoView({ block: "center" });
    }
  }

  // Live character counters under fields with a maxlength.
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) { return; }
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    var update = function () {
      counter.textContent = Array.from(field.value).length + " / " + limit;
    };
    field.addEventListener("input", update);
    update();
  });

  // A double-click must not send a form twice. A form marked data-download answers with a file
  // and the page stays: it is never disarmed, so each click downloads again. So does a button
  // marked data-download in a form that otherwise changes data (the proposal table's meeting
  // pack of the ticked proposals), which leaves that form armed for its own button.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var form = event.target;
    if (form.hasAttribute("data-download")) { return; }
    if (event.submitter && event.submitter.hasAttribute("data-download")) { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });
})();

(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

// Warn before leaving a changed form marked data-warn-unsaved (a judge's scores, for example),
// unless that form is what is being submitted.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-warn-unsaved]");
  if (!forms.length) { return; }
  var markChanged = function (event) { event.currentTarget.dataset.changed = "1"; };
  forms.forEach(function (form) {
    form.addEventListener("input", markChanged);
    form.addEventListener("change", markChanged);
  });
  // On the document, after the confirmation above: a cancelled submit keeps the warning.
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented && event.target.hasAttribute("data-warn-unsaved")) {
      delete event.target.dataset.changed;
    }
  });
  window.addEventListener("beforeunload", function (event) {
    var unsaved = Array.prototype.some.call(forms, function (form) {
      return form.dataset.changed === "1";
    });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to show their own warning
    }
  });
})();

// A table wider than a phone's screen scrolls inside its .table-responsive box: when nothing in
// it can take the focus, the box itself does, so that keyboard users can scroll it too
// (WCAG 2.1.1; axe-core's scrollable-region-focusable).
(function () {
  "use strict";
  var focusable = "a[href], button, input, select, textarea, [tabindex]";
  var update = function () {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && !box.querySelector(focusable)) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (caption && !box.hasAttribute("aria-label")) {
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (!scrolls && box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  };
  update();
  window.addEventListener("resize", update);
})();

// Copies of unsaved form text kept in this browser (proposal-form.js), by the form's path: kept
// when a session is lost, forgotten at logout and once the proposal is submitted.
window.PortalDrafts = (function () {
  "use strict";
  var PREFIX = "portal-draft:";
  var storage = function () {
    try { return window.localStorage; } catch (error) { return null; }  // storage may be off
  };
  var drafts = {
    read: function (path) {
      var store = storage();
      try { return store && JSON.parse(store.getItem(PREFIX + path)); } catch (error) { return null; }
    },
    write: function (path, values) {
      var store = storage();
      try {
        if (store) { store.setItem(PREFIX + path, JSON.stringify({at: Date.now(), values: values})); }
      } catch (error) { /* full or refused: the server copy still counts */ }
    },
    forget: function (path) {
      var store = storage();
      if (store) { store.removeItem(PREFIX + path); }
    },
    forgetAll: function () {
      var store = storage();
      if (!store) { return; }
      Object.keys(store).filter(function (name) { return name.indexOf(PREFIX) === 0; })
        .forEach(function (name) { store.removeItem(name); });
    }
  };
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var action = event.target.getAttribute("action") || "";
    var submitted = action.match(/^(\/proposals\/\d+)\/submit$/);
    if (/\/logout$/.test(action)) { drafts.forgetAll(); }
    if (submitted) { drafts.forget(submitted[1] + "/edit"); }
  });
  return drafts;
})();
