/* Funding: narrow a long checkbox list (the operators of a call) by a filter box, and choose or
   clear the operators shown. Without JavaScript the whole list is shown and works as it is. */
(function () {
  "use strict";

  function normalise(text) {
    return text.toLocaleLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function setUp(picker) {
    var tools = picker.querySelector("[data-funding-picker-tools]");
    var filter = picker.querySelector("[data-funding-picker-filter]");
    var status = picker.querySelector("[data-funding-picker-status]");
    var items = Array.prototype.slice.call(picker.querySelectorAll("[data-funding-picker-item]"));
    var texts = items.map(function (item) {
      return normalise(item.textContent);
    });
    var timer = null;

    function shownItems() {
      return items.filter(function (item) {
        return !item.hidden;
      });
    }

    function report() {
      var chosen = picker.querySelectorAll("[data-funding-picker-item] input:checked").length;
      status.textContent = status
        .getAttribute("data-template")
        .replace("%(shown)s", String(shownItems().length))
        .replace("%(total)s", String(items.length))
        .replace("%(chosen)s", String(chosen));
    }

    function apply() {
      var words = normalise(filter.value).split(/\s+/).filter(Boolean);
      items.forEach(function (item, index) {
        item.hidden = !words.every(function (word) {
          return texts[index].indexOf(word) !== -1;
        });
      });
      report();
    }

    function setShown(checked) {
      shownItems().forEach(function (item) {
        item.querySelector("input").checked = checked;
      });
      report();
    }

    tools.hidden = false;
    filter.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(apply, 120);
    });
    filter.addEventListener("keydown", function (event) {
      // Enter in the filter box must not submit the form.
      if (event.key === "Enter") {
        event.preventDefault();
        apply();
      }
    });
    picker.querySelector("[data-funding-picker-all]").addEventListener("click", function () {
      setShown(true);
    });
    picker.querySelector("[data-funding-picker-none]").addEventListener("click", function () {
      setShown(false);
    });
    picker.addEventListener("change", report);
    report();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-funding-picker]"), setUp);
  });
})();
