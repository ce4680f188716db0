// Book for a caller: choosing another plan shows its free times at once (without this script the
// "Show free times" button does the same).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("booking-form");
  var show = document.getElementById("show-times");
  var plan = document.getElementById("id_plan");
  if (form && show && plan) {
    plan.addEventListener("change", function () {
      form.requestSubmit(show);
    });
  }
});
