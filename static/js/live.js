/* Pitch day: follow the session by polling the page's live part with its ETag (a 304 while
   nothing changed), swap the regions that changed, run the countdowns, and on a judge's phone
   queue scores until the server confirms them (each with its idempotency key, so a score sent
   twice counts once). */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-poll]");
  if (!root) { return; }
  var url = root.getAttribute("data-live-poll");
  var interval = parseInt(root.getAttribute("data-live-interval"), 10) || 1000;
  var etag = root.getAttribute("data-live-etag");
  var connection = document.getElementById("live-connection");

  function setOnline(online) {
    if (connection) { connection.hidden = online; }
  }

  /* A timer counts from when its figures held: `serverNow` (the answer's X-Live-Now) minus
     the moment it was rendered, for a page the server kept from an earlier poll. */
  function startTimers(scope, serverNow) {
    var now = performance.now();
    scope.querySelectorAll("[data-timer]").forEach(function (timer) {
      var rendered = parseFloat(timer.getAttribute("data-rendered-at"));
      var age = serverNow && rendered ? Math.max(0, serverNow - rendered) : 0;
      timer.liveStart = now - age * 1000;
    });
  }

  function showTimers() {
    var now = performance.now();
    document.querySelectorAll("[data-timer]").forEach(function (timer) {
      var remaining = parseFloat(timer.getAttribute("data-remaining"));
      if (timer.getAttribute("data-running") === "1") {
        remaining -= (now - (timer.liveStart || now)) / 1000;
      }
      var over = remaining < 0;
      var seconds = Math.floor(Math.abs(remaining) + (over ? 0 : 0.999));
      var text = Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
      timer.textContent = (over ? "-" : "") + text;
      timer.classList.toggle("live-overtime", over);
    });
  }

  var pending = null;
  function swap(html, serverNow) {
    var incoming = new DOMParser().parseFromString(html, "text/html");
    var deferred = false;
    incoming.querySelectorAll("[data-live-region]").forEach(function (region) {
      var current = document.getElementById(region.id);
      if (!current) { return; }
      if (current.getAttribute("data-live-key") === region.getAttribute("data-live-key") &&
          region.hasAttribute("data-live-key")) { return; }
      if (current.contains(document.activeElement) && document.activeElement.matches("input[type=text], input:not([type]), textarea")) {
        deferred = true;   // someone is typing here: swap when they leave the field
        return;
      }
      var fresh = document.importNode(region, true);
      current.replaceWith(fresh);
      startTimers(fresh, serverNow);
      bindScoreForms(fresh);
    });
    pending = deferred ? {html: html, serverNow: serverNow, at: performance.now()} : null;
    var title = incoming.querySelector("[data-live-title]");
    if (title) { document.title = title.getAttribute("data-live-title"); }
    showTimers();
  }
  document.addEventListener("focusout", function () {
    setTimeout(function () {
      if (pending) {   // the server's clock moved on while the swap waited
        swap(pending.html, pending.serverNow &&
             pending.serverNow + (performance.now() - pending.at) / 1000);
      }
    }, 0);
  });

  function poll() {
    var headers = {"X-Requested-With": "fetch"};
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, {headers: headers, cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        if (response.status === 200) {
          etag = response.headers.get("ETag");
          setOnline(true);
          var serverNow = parseFloat(response.headers.get("X-Live-Now")) || 0;
          return response.text().then(function (html) { swap(html, serverNow); });
        }
        setOnline(response.status === 304);
        return null;
      })
      .catch(function () { setOnline(false); })
      .then(function () { setTimeout(poll, interval); });
  }

  /* The judge's score queue, kept in localStorage so that a reload does not lose it. */
  var queueName = "live-scores:" + url.split("?")[0];
  function readQueue() {
    try { return JSON.parse(localStorage.getItem(queueName) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(queue) {
    try { localStorage.setItem(queueName, JSON.stringify(queue)); } catch (e) { /* private mode */ }
  }
  function newKey() {
    var bytes = "";
    for (var i = 0; i < 4; i++) { bytes += Math.floor(Math.random() * 0x100000000).toString(16); }
    return Date.now().toString(16) + bytes;
  }
  function say(text, kind) {
    var note = document.getElementById("live-send-status");
    if (note) {
      note.textContent = text;
      note.className = "alert alert-" + kind + " live-send-status";
      note.hidden = false;
    }
  }
  var sending = false;
  function flush() {
    var queue = readQueue();
    if (sending || !queue.length) { return; }
    sending = true;
    var item = queue[0];
    var body = new URLSearchParams(item.fields);
    fetch(item.action, {method: "POST", body: body, credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.status >= 500) { throw new Error("server"); }
          writeQueue(readQueue().filter(function (queued) { return queued.key !== item.key; }));
          say(answer.message, answer.received ? "success" : "danger");
          etag = null;   // show the server's view at once
        });
      })
      .catch(function () {
        say(root.getAttribute("data-queued-text"), "warning");
      })
      .then(function () {
        sending = false;
        if (readQueue().length && readQueue()[0].key !== item.key) { flush(); }
      });
  }
  function bindScoreForms(scope) {
    scope.querySelectorAll("form[data-live-score]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var fields = {};
        new FormData(form).forEach(function (value, name) { fields[name] = value; });
        fields.key = newKey();
        var queue = readQueue();
        queue.push({key: fields.key, action: form.action, fields: fields});
        writeQueue(queue);
        say(root.getAttribute("data-sending-text"), "info");
        flush();
      });
    });
  }

  bindScoreForms(document);
  startTimers(document);
  showTimers();
  setInterval(showTimers, 250);
  setInterval(flush, 2000);
  window.addEventListener("online", flush);
  flush();
  setTimeout(poll, interval);
}());
