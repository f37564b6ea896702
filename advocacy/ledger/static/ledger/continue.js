// The import goes on batch by batch: each page submits the next batch by itself. Without
// script, the button does the same; the checkpoint makes either safe to repeat.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("ledger-continue");
  if (form) {
    window.setTimeout(function () { form.submit(); }, 300);
  }
});
