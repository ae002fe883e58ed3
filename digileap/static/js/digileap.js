/* Digileap: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // After htmx swaps a results region (filter, sort, page), move focus to its summary so that
  // keyboard and screen-reader users land on the new results instead of the top of the page.
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.detail && event.detail.target;
    if (!region || !region.id) {
      return;
    }
    var fresh = document.getElementById(region.id);
    var summary = fresh && fresh.querySelector("[role='status'][tabindex='-1']");
    if (summary) {
      summary.focus({ preventScroll: false });
    }
  });
})();
