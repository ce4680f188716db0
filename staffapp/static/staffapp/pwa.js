/* Registers the portal's service worker (staffapp.pwa) so the portal installs as an app and can
 * show Web Push notifications. The element #autolab-pwa names the worker and its scope. */
(function () {
  "use strict";
  var root = document.getElementById("autolab-pwa");
  if (!root || !("serviceWorker" in navigator)) { return; }
  navigator.serviceWorker.register(root.dataset.worker, { scope: root.dataset.scope }).catch(function (error) {
    console.warn("Service worker not registered:", error);
  });
})();
