/* The dashboard (the portal index) kept current without a reload. Each panel names the live events
 * that make it stale (data-refresh-on); when one arrives over the staff socket (chat/live.js,
 * window.autolabLive), the panel's body is fetched again from its own URL (data-url), which checks
 * the member's permissions like any portal page. Several events in a burst cost one fetch per
 * panel. After a reconnect every panel is fetched again: events sent while the socket was down
 * are lost, the data is not. */
(function () {
  "use strict";
  var panels = Array.prototype.slice.call(document.querySelectorAll(".dash-panel[data-url]"));
  if (!panels.length || !window.autolabLive) { return; }
  var DEBOUNCE_MS = 400;
  var wasConnected = false;

  function refresh(panel) {
    clearTimeout(panel.refreshTimer);
    panel.refreshTimer = setTimeout(function () { load(panel); }, DEBOUNCE_MS);
  }

  function load(panel) {
    if (panel.loading) { panel.again = true; return; }  // one fetch at a time; the latest wins
    panel.loading = true;
    panel.setAttribute("aria-busy", "true");
    fetch(panel.dataset.url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null) {
          panel.querySelector(".dash-body").innerHTML = html;
          panel.dataset.refreshed = String((Number(panel.dataset.refreshed) || 0) + 1);
        }
      })
      .catch(function () { /* the next event or reconnect fetches it again */ })
      .then(function () {
        panel.loading = false;
        panel.removeAttribute("aria-busy");
        if (panel.again) { panel.again = false; refresh(panel); }
      });
  }

  window.autolabLive.on(function (event) {
    if (event.type === "connection" && event.subtype === "init") {
      if (event.success && wasConnected) { panels.forEach(refresh); }  // a reconnect: catch up
      wasConnected = wasConnected || !!event.success;
      return;
    }
    panels.forEach(function (panel) {
      if ((" " + panel.dataset.refreshOn + " ").indexOf(" " + event.type + " ") !== -1) { refresh(panel); }
    });
  });
})();
