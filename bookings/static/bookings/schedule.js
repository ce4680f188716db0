// The schedule form: choosing another day shows that day's free/busy at once (the "Show this day"
// button, which keeps the rest of the input). A static file: the portal's CSP forbids inline scripts.
(function () {
  "use strict";
  var form = document.getElementById("schedule-form");
  if (!form) { return; }
  var day = form.querySelector("input[name=date]");
  var show = document.getElementById("show-day");
  if (!day || !show) { return; }
  day.addEventListener("change", function () {
    if (day.value && typeof form.requestSubmit === "function") { form.requestSubmit(show); }
  });
}());
