/* The Notifications page (staffapp.portal.staff_notifications): subscribe this device to Web Push
 * through the portal's service worker and send the subscription to the page. */
(function () {
  "use strict";
  var form = document.getElementById("push-subscribe-form");
  if (!form) { return; }
  var status = document.getElementById("push-status");

  function say(text) { status.textContent = text; }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("This browser cannot get push notifications. On an iPhone, add the portal to your home screen and open it from there.");
    form.querySelector("button").disabled = true;
    return;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    say("Asking this browser for permission\u2026");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("Notifications are blocked for this site in the browser's settings."); }
      return navigator.serviceWorker.register(form.dataset.worker, { scope: form.dataset.scope });
    }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(form.dataset.key) });
    }).then(function (subscription) {
      var data = new FormData(form);
      var keys = subscription.toJSON().keys || {};
      data.set("endpoint", subscription.endpoint);
      data.set("p256dh", keys.p256dh || "");
      data.set("auth", keys.auth || "");
      return fetch(form.action || window.location.href, {
        method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
      });
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.message || "The subscription was refused."); }
        say(body.message);
        window.location.reload();
      });
    }).catch(function (error) { say(error.message || String(error)); });
  });
})();
