/* The scan loop: Escape cancels a proposal; the serial field keeps the focus between scans.
   Enter needs no script: it submits the focused form (the serial field, or the confirm button). */
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var cancel = document.querySelector("[data-handout-panel] [data-handout-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });

  // After a swap, put the focus where the next keystroke belongs: the confirm button or the serial.
  document.addEventListener("htmx:afterSettle", function () {
    var panel = document.querySelector("[data-handout-panel]");
    if (!panel) {
      return;
    }
    var target = panel.querySelector("[data-handout-confirm]") || panel.querySelector("[data-handout-serial]");
    if (target && document.activeElement !== target) {
      target.focus();
    }
  });
})();
