/* The staff portal's service worker (staffapp.pwa): Web Push notifications and where a click goes.
 * Served at {{ home }}service-worker.js, so its scope is the whole portal. */
"use strict";

var ICON = "{{ icon|escapejs }}";
var BADGE = "{{ badge|escapejs }}";
var HOME = "{{ home|escapejs }}";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function portalUrl(raw) {
  // Only pages of this portal: a notification can never send the browser elsewhere.
  try {
    var url = new URL(raw || HOME, self.location.origin);
    if (url.origin === self.location.origin && url.pathname.indexOf(HOME) === 0) { return url.href; }
  } catch (e) { /* fall through */ }
  return new URL(HOME, self.location.origin).href;
}

self.addEventListener("push", function (event) {
  var data = {};
  if (event.data) {
    try { data = event.data.json(); } catch (e) { data = { body: event.data.text() }; }
  }
  var options = {
    body: data.body || "",
    icon: ICON,
    badge: BADGE,
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    timestamp: data.timestamp ? data.timestamp * 1000 : Date.now(),
    data: { url: portalUrl(data.url), kind: data.kind || "" }
  };
  event.waitUntil(self.registration.showNotification(data.title || "Auto Lab staff portal", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = portalUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
    var i;
    for (i = 0; i < tabs.length; i += 1) {
      if (tabs[i].url === target && "focus" in tabs[i]) { return tabs[i].focus(); }
    }
    for (i = 0; i < tabs.length; i += 1) {  // an open portal tab goes to the page
      if ("navigate" in tabs[i] && new URL(tabs[i].url).pathname.indexOf(HOME) === 0) {
        return tabs[i].navigate(target).then(function (tab) { return tab ? tab.focus() : self.clients.openWindow(target); });
      }
    }
    return self.clients.openWindow(target);
  }));
});
