/* The proposal form on a phone: a copy of what is typed kept in this browser (offered back after
   a lost session), autosave, budget lines added and removed in place with a live total, a ✓ per
   section, uploads before the first save, and a warning before the idle logout.
   The form works without this file: the Save button does everything the server needs. */
(function () {
  "use strict";
  var form = document.getElementById("proposal-form");
  if (!form || !window.PortalDrafts) { return; }
  var drafts = window.PortalDrafts;
  var statusBox = document.getElementById("autosave-status");
  var budget = document.getElementById("budget");
  var addButton = budget && budget.querySelector("[data-add-line]");
  var totalBox = document.getElementById("budget-total");
  var attachmentForm = document.getElementById("attachment-form");
  var required = (form.dataset.required || "").split(" ");
  var organizationTypes = (form.dataset.organizationTypes || "").split(" ");
  var draftPath = form.dataset.draftKey;
  var autosaveUrl = form.dataset.autosaveUrl;
  var rescued = form.hasAttribute("data-rescued");
  var NOT_COPIED = {csrf_token: true, version: true, submit: true};
  var AUTOSAVE_DELAY = 2500;
  var WARN_BEFORE_LOGOUT = 5 * 60 * 1000;
  var lang = document.documentElement.lang || "zh-CN";
  var money = new Intl.NumberFormat("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2});

  document.querySelectorAll("[data-without-script]").forEach(function (el) { el.hidden = true; });
  document.querySelectorAll("[data-add-line], [data-remove-line]").forEach(function (el) {
    el.hidden = false;
  });
  document.querySelectorAll("[data-needs-draft]").forEach(function (el) { el.disabled = false; });

  var setStatus = function (text, link) {
    statusBox.textContent = text;
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      anchor.className = "ms-1";
      statusBox.appendChild(anchor);
    }
  };

  // -- what the form holds ----------------------------------------------------------------
  // Budget lines are kept by position, not by their field names' numbers (which removing a
  // line leaves with gaps), so that a saved form and its copy compare equal.
  var LINE_FIELD = /^budget_lines-\d+-(\w+)$/;
  var values = function () {
    var result = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || NOT_COPIED[el.name] || LINE_FIELD.test(el.name) || el.type === "file" ||
          el.type === "button") { return; }
      result[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    lines().filter(function (line) {
      return Array.prototype.some.call(line.querySelectorAll("input"), function (input) { return input.value !== ""; });
    }).forEach(function (line, position) {
      line.querySelectorAll("input").forEach(function (input) {
        result["line:" + position + ":" + input.name.match(LINE_FIELD)[1]] = input.value;
      });
    });
    return result;
  };
  var restore = function (kept) {
    var count = Object.keys(kept).filter(function (name) { return /^line:\d+:item$/.test(name); }).length;
    while (budget && lines().length < count + 1 && lines().length < parseInt(budget.dataset.maxLines, 10)) { addLine(); }
    lines().forEach(function (line, position) {
      line.querySelectorAll("input").forEach(function (input) {
        input.value = kept["line:" + position + ":" + input.name.match(LINE_FIELD)[1]] || "";
      });
    });
    Object.keys(kept).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (!field || !field.tagName) { return; }
      if (field.type === "checkbox") { field.checked = kept[name]; } else { field.value = kept[name]; }
    });
  };
  var isBlank = function (value) { return value === "" || value === false || value === "0"; };
  // Whether the kept copy holds text that the form does not show.
  var differs = function (kept) {
    var now = values();
    return Object.keys(kept).some(function (name) {
      return name !== "form_token" && !isBlank(kept[name]) && kept[name] !== now[name];
    });
  };
  var keepCopy = function () { drafts.write(draftPath, values()); };

  // -- budget lines and their total -----------------------------------------------------------
  var lines = function () {
    return budget ? Array.prototype.slice.call(budget.querySelectorAll("[data-budget-line]")) : [];
  };
  var lineIndex = function (line) {
    return parseInt(line.querySelector("input").name.match(/budget_lines-(\d+)-/)[1], 10);
  };
  var renumber = function () {
    lines().forEach(function (line, position) {
      line.querySelectorAll("[data-line-number]").forEach(function (span) {
        span.textContent = span.textContent.replace(/\d+/, String(position + 1));
      });
    });
    if (addButton) { addButton.hidden = lines().length >= parseInt(budget.dataset.maxLines, 10); }
  };
  var addLine = function () {
    var all = lines();
    var last = all[all.length - 1];
    var next = Math.max.apply(null, all.map(lineIndex)) + 1;
    var line = last.cloneNode(true);
    var rename = function (text) { return text.replace(/budget_lines-\d+-/, "budget_lines-" + next + "-"); };
    line.querySelectorAll("input").forEach(function (input) {
      input.id = rename(input.id);
      input.name = rename(input.name);
      input.value = "";
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    line.querySelectorAll("label").forEach(function (label) { label.htmlFor = rename(label.htmlFor); });
    line.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    last.after(line);
    renumber();
    return line;
  };
  var total = function () {
    var sum = 0;
    var any = false;
    lines().forEach(function (line) {
      var amount = parseFloat(line.querySelector("input[name$='-amount']").value.replace(/[,，\s]/g, ""));
      if (isFinite(amount)) { sum += amount; any = true; }
    });
    if (totalBox) { totalBox.textContent = any ? money.format(sum) : "—"; }
  };

  // -- what submission still needs: the ✓ of each section and the list at the top -------------
  var filled = function (name) {
    if (name === "budget_lines") {
      return lines().some(function (line) {
        return line.querySelector("input[name$='-item']").value.trim() !== "" &&
          line.querySelector("input[name$='-amount']").value.trim() !== "";
      });
    }
    if (name === "profile_organization" && form.elements.profile_entrant_type &&
        organizationTypes.indexOf(form.elements.profile_entrant_type.value) < 0) {
      return true;   // individuals need no organization
    }
    var field = form.elements.namedItem(name);
    return !field || !isBlank(field.value.trim());
  };
  var refresh = function () {
    total();
    document.querySelectorAll("[data-section]").forEach(function (section) {
      var names = section.dataset.fields.split(" ").filter(function (name) {
        return name === "title" || name === "theme_id" || required.indexOf(name) >= 0;
      });
      var mark = document.querySelector("[data-done-for='" + section.dataset.section + "']");
      if (names.length && mark) { mark.hidden = !names.every(filled); }
    });
    document.querySelectorAll("[data-missing]").forEach(function (item) {
      item.hidden = filled(item.dataset.missing);
    });
  };

  // -- autosave -----------------------------------------------------------------------------
  var timer = null;
  var inFlight = null;
  var edits = 0;
  var stopped = !autosaveUrl;
  var idle = null;

  var loginLink = function () {
    return {href: statusBox.dataset.loginUrl + "?next=" + encodeURIComponent(draftPath),
            text: statusBox.dataset.loginText};
  };
  var movedTo = function (data) {
    if (data.edit_url === draftPath) { return; }
    drafts.forget(draftPath);
    draftPath = form.dataset.draftKey = data.edit_url;
    form.action = data.edit_url;
    autosaveUrl = data.autosave_url;
    if (attachmentForm) { attachmentForm.action = data.upload_url; }
    window.history.replaceState(null, "", data.edit_url);
  };
  var answered = function (status, data, editsSent) {
    if (data.saved) {
      form.elements.version.value = data.version;
      movedTo(data);
      setStatus(data.invalid.length ? data.status + " " + statusBox.dataset.invalidText : data.status);
      if (edits === editsSent && !data.invalid.length) {
        delete form.dataset.changed;
        drafts.forget(draftPath);
      } else {
        keepCopy();
      }
      return;
    }
    if (data.session_lost) {
      stopped = true;
      keepCopy();
      setStatus(data.message, loginLink());
    } else if (status >= 400) {
      stopped = true;   // deadline passed or the proposal changed elsewhere: the copy stays
      keepCopy();
      setStatus(data.closed ? statusBox.dataset.closedText : data.message);
    } else {
      setStatus(data.message);
    }
  };
  var autosave = function () {
    clearTimeout(timer);
    if (stopped) { return Promise.resolve(); }
    if (inFlight) { return inFlight.then(autosave); }
    var editsSent = edits;
    inFlight = fetch(autosaveUrl, {method: "POST", body: new FormData(form), credentials: "same-origin",
                                    headers: {"Accept": "application/json"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) { throw new Error("not an answer of ours"); }
        return response.json().then(function (data) { answered(response.status, data, editsSent); });
      })
      .then(resetIdle, function () { keepCopy(); setStatus(statusBox.dataset.offlineText); })
      .then(function () { inFlight = null; });
    return inFlight;
  };
  var changed = function () {
    edits += 1;
    keepCopy();
    refresh();
    if (!stopped) {
      clearTimeout(timer);
      timer = setTimeout(autosave, AUTOSAVE_DELAY);
    }
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  if (budget) {
    budget.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-line]");
      if (event.target.closest("[data-add-line]")) {
        addLine().querySelector("input").focus();
        changed();
      } else if (remove) {
        var line = remove.closest("[data-budget-line]");
        if (lines().length > 1) {
          var neighbour = line.nextElementSibling || line.previousElementSibling;
          line.remove();
          renumber();
          (neighbour && neighbour.querySelector("input") || addButton).focus();
        } else {
          line.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        }
        form.dataset.changed = "1";
        changed();
      }
    });
  }

  // Before leaving for an upload or a deletion, save what was typed (and, before the first
  // save, create the draft the file is attached to); then click again.
  var passThrough = false;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-attachment-action], #proposal-form [type=submit]");
    if (!button || passThrough) { return; }
    var isSave = button.form === form;
    if (isSave ? !inFlight : !(timer || inFlight || form.dataset.changed === "1" || button.hasAttribute("data-needs-draft"))) {
      return;
    }
    if (isSave) { clearTimeout(timer); }
    event.preventDefault();
    (isSave ? inFlight : autosave()).then(function () {
      if (!isSave && !attachmentForm.getAttribute("action")) {
        setStatus(statusBox.dataset.needsDraftText);
        return;
      }
      passThrough = true;
      button.click();
      passThrough = false;
    });
  }, true);

  // -- the idle logout ------------------------------------------------------------------------
  var warning = document.getElementById("idle-warning");
  var idleLimit = parseInt(form.dataset.idleSeconds, 10) * 1000;
  function resetIdle() {
    clearTimeout(idle);
    if (warning) { warning.hidden = true; }
    if (!idleLimit || rescued) { return; }
    idle = setTimeout(function () { warning.hidden = false; }, Math.max(idleLimit - WARN_BEFORE_LOGOUT, 0));
  }
  if (warning) {
    warning.querySelector("[data-stay-signed-in]").addEventListener("click", function () {
      warning.hidden = true;
      if (stopped) { window.location.reload(); } else { autosave(); }
    });
  }

  // -- the kept copy: offered back, or kept before logging in again --------------------------
  document.querySelectorAll("[data-keep-draft]").forEach(function (link) {
    link.addEventListener("click", keepCopy);   // the person chose to keep it: no forged post can
  });
  var offer = document.getElementById("draft-offer");
  var kept = drafts.read(draftPath);
  if (!rescued && kept && kept.values) {
    if (differs(kept.values)) {
      var when = new Date(kept.at).toLocaleTimeString(lang, {timeZone: "Asia/Shanghai", hour: "2-digit",
                                                             minute: "2-digit", hour12: false});
      var text = offer.querySelector("[data-offer-text]");
      text.textContent = text.dataset.offerText.replace("{time}", when);
      offer.hidden = false;
      offer.querySelector("[data-restore-draft]").addEventListener("click", function () {
        restore(kept.values);
        offer.hidden = true;
        form.dataset.changed = "1";
        changed();
        form.querySelector("input:not([type=hidden]), select, textarea").focus();
      });
      offer.querySelector("[data-discard-draft]").addEventListener("click", function () {
        drafts.forget(draftPath);
        offer.hidden = true;
      });
    } else {
      drafts.forget(draftPath);
    }
  }
  // -- one section at a time on the screen, chosen in the navigator ---------------------------
  var sections = Array.prototype.slice.call(form.querySelectorAll("[data-section]"));
  var navLinks = Array.prototype.slice.call(document.querySelectorAll(".section-nav a"));
  var showSection = function (section, focusTarget) {
    sections.forEach(function (each) { each.hidden = each !== section; });
    navLinks.forEach(function (link) {
      if (link.hash === "#" + section.id) { link.setAttribute("aria-current", "step"); } else { link.removeAttribute("aria-current"); }
    });
    if (focusTarget) {
      focusTarget.focus({preventScroll: true});
      focusTarget.scrollIntoView({block: "center"});
    }
  };
  var sectionOf = function (element) { return element && element.closest && element.closest("[data-section]"); };
  var target = function (hash) {
    try { return hash && hash.length > 1 && document.querySelector(hash); } catch (error) { return null; }
  };
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#'], [data-show-section]");
    if (!link) { return; }
    var goal = target(link.dataset.showSection ? "#" + link.dataset.showSection : link.getAttribute("href"));
    var section = goal && (goal.matches("[data-section]") ? goal : sectionOf(goal));
    if (!section) { return; }
    event.preventDefault();
    showSection(section, goal === section ? section.querySelector("h2") : goal);
  });
  var firstError = form.querySelector(".is-invalid");
  var opening = target(window.location.hash);
  var startAt = sectionOf(firstError) || (opening && (opening.matches("[data-section]") ? opening : sectionOf(opening)));
  showSection(startAt || sections[0]);
  document.querySelectorAll("[data-show-section]").forEach(function (button) { button.hidden = false; });

  renumber();
  refresh();
  resetIdle();
})();
