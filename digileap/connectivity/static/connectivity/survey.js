// The survey form: "Add another uplink" adds an empty uplink row in place. Without this script the
// form still offers empty rows, and saving a draft gives more.
(function () {
  "use strict";

  function setUp() {
    var button = document.querySelector("[data-add-uplink]");
    var template = document.getElementById("uplink-template");
    var rows = document.querySelector("[data-uplink-rows]");
    var total = document.getElementById("id_uplinks-TOTAL_FORMS");
    var maximum = document.getElementById("id_uplinks-MAX_NUM_FORMS");
    if (!button || !template || !rows || !total) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (maximum && index >= parseInt(maximum.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("select, input");
      if (first) {
        first.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
