// Book for a caller: choosing another plan or day shows its free times at once (the form also
// works without this: the "Show free times" button does the same).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("booking-form");
  var show = document.getElementById("show-times");
  if (!form || !show) {
    return;
  }
  ["id_plan", "id_date"].forEach(function (id) {
    var field = document.getElementById(id);
    if (field) {
      field.addEventListener("change", function () {
        if (field.value) {
          form.requestSubmit(show);
        }
      });
    }
  });
});
