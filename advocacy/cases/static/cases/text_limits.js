// A counter under every text field with a length limit (data-max-length, set by the
// project's widget template instead of maxlength, which would cut the text silently).
// The server refuses an over-long text with a message and keeps it for editing.
(function () {
  "use strict";
  function attach(field) {
    var limit = parseInt(field.getAttribute("data-max-length"), 10);
    if (!limit || field.dataset.counterAttached) { return; }
    field.dataset.counterAttached = "1";
    var counter = document.createElement("div");
    counter.className = "adv-counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    function update() {
      var length = Array.from(field.value).length;
      counter.textContent = length + " / " + limit + " 文字" +
        (length > limit ? "（" + (length - limit) + " 文字多すぎます）" : "");
      counter.classList.toggle("adv-counter--over", length > limit);
    }
    field.addEventListener("input", update);
    update();
  }
  function scan() {
    document.querySelectorAll("textarea[data-max-length], input[data-max-length]").forEach(attach);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
  document.addEventListener("turbo:load", scan);
})();
