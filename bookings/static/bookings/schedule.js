// The schedule form: choosing another day shows that day's free/busy at once (the "Show this day"
// button, which keeps the rest of the input). A static file: the portal's CSP forbids inline scripts.
// Typing a date fires "change" at every digit of the year (0002, 0020, ...), so it waits until the
// typing pauses and the year is a real one.
(function () {
  "use strict";
  var form = document.getElementById("schedule-form");
  if (!form) { return; }
  var day = form.querySelector("input[name=date]");
  var show = document.getElementById("show-day");
  if (!day || !show || typeof form.requestSubmit !== "function") { return; }
  var shown = day.value;
  var timer = null;
  function showDay() {
    var year = parseInt(day.value.slice(0, 4), 10);
    if (day.value && day.value !== shown && year >= 2000) {
      shown = day.value;
      form.requestSubmit(show);
    }
  }
  day.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(showDay, 700);
  });
  // Saving (or a suggested slot) right after a change must not be replaced by "Show this day".
  form.addEventListener("submit", function () { window.clearTimeout(timer); });
}());
