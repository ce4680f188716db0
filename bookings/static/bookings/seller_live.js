/* Seller confirmation, live (#16.4): the appointment page and the calendar show the seller's answer
 * as it arrives over the staff socket (chat/static/chat/live.js, window.autolabLive). */
(function () {
  "use strict";
  function update(event) {
    if (event.type !== "appointment.seller_confirmation" || !event.appointmentId) { return; }
    var nodes = document.querySelectorAll('[data-seller-for="' + event.appointmentId + '"]');
    Array.prototype.forEach.call(nodes, function (node) {
      node.textContent = event.sellerLabel || "";
      node.hidden = !event.sellerLabel;
      node.dataset.state = event.sellerConfirmation || "";
    });
  }
  function start() {
    if (window.autolabLive) { window.autolabLive.on(update); } else { window.setTimeout(start, 200); }
  }
  start();
})();
