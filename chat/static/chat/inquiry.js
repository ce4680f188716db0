/* The inquiry page's reply form: choosing a canned reply fills in the message (kept editable);
 * the send button is disabled once pressed, so a double click posts the form once (the server's
 * idempotency key covers a second post anyway). */
(function () {
  "use strict";
  var form = document.getElementById("inquiry-reply");
  if (!form) { return; }
  var texts = {};
  try { texts = JSON.parse(document.getElementById("canned-replies").textContent) || {}; } catch (e) { texts = {}; }
  var canned = form.querySelector("select[name=canned]");
  var message = form.querySelector("textarea[name=text]");
  if (canned && message) {
    canned.addEventListener("change", function () {
      if (!texts[canned.value]) { return; }
      var current = message.value.trim();
      message.value = current && !Object.values(texts).includes(current) ? current + "\n\n" + texts[canned.value] : texts[canned.value];
      message.focus();
    });
  }
  form.addEventListener("submit", function () {
    var button = document.getElementById("reply-send");
    if (button) { setTimeout(function () { button.disabled = true; button.value = "Sending…"; }, 0); }
  });
})();
