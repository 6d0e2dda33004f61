/* A prepared file's progress: polls its JSON while the job runs, moves the <progress> bar, and
 * reloads the page once the file is ready or has failed (the page then shows the download link
 * or the reason). Without this file, the page refreshes itself (noscript) and has a reload link.
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-prepared-file][data-finished='no']");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var percent = box.querySelector("[data-percent]");
  var INTERVAL_MS = 1500;

  function poll() {
    fetch(box.getAttribute("data-prepared-file"), {credentials: "same-origin",
                                                   headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        if (state.finished) { window.location.reload(); return; }
        if (bar) {
          bar.value = state.progress;
          bar.textContent = state.progress + "%";
        }
        if (percent) { percent.textContent = state.progress; }
        window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(function () { window.setTimeout(poll, INTERVAL_MS * 4); });
  }
  window.setTimeout(poll, INTERVAL_MS);
})();
