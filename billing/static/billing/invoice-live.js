// "Tax invoice (or Invoice: data-title) being generated": polls the page's JSON (data-live-url) until the worker has stored
// the invoice and its PDF, then shows its number, status and PDF link in place (no reload).
(function () {
  "use strict";
  var box = document.getElementById("invoice-live");
  if (!box || !box.dataset.liveUrl) { return; }
  var url = box.dataset.liveUrl;
  var delay = 1000;
  var deadline = Date.now() + 10 * 60 * 1000;

  function link(href, text, id) {
    var a = document.createElement("a");
    a.href = href;
    a.id = id;
    a.textContent = text;
    return a;
  }

  function show(invoice) {
    var badge = document.createElement("span");
    badge.className = "badge " + invoice.statusClass;
    badge.id = "invoice-status";
    badge.textContent = invoice.statusLabel;
    box.textContent = "";
    box.appendChild(link(invoice.detailUrl, (box.dataset.title || "Invoice") + " " + invoice.number, "invoice-link"));
    box.appendChild(document.createTextNode(" "));
    box.appendChild(badge);
    box.appendChild(document.createTextNode(" · "));
    box.appendChild(link(invoice.pdfUrl, "Download PDF", "invoice-pdf"));
    box.dataset.state = "ready";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.state === "ready") { show(data); return; }
        if (Date.now() < deadline) { window.setTimeout(poll, delay); }
      })
      .catch(function () { if (Date.now() < deadline) { window.setTimeout(poll, delay * 3); } });
  }

  window.setTimeout(poll, delay);
})();
