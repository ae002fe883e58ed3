/* The milestone and target form: show the parameters of the chosen indicator kind only, and the
   indicator's value today as the kind and parameters change (a JSON request to the form's
   data-preview-url, answered in the page's language). No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function init(form) {
    var url = form.getAttribute("data-preview-url");
    var output = document.getElementById("indicator-preview");
    var select = form.querySelector("[name=indicator_kind]");
    if (!url || !output || !select) {
      return;
    }
    var timer = null;
    var latest = 0;

    function showChosen() {
      var groups = form.querySelectorAll("[data-indicator-kind]");
      for (var i = 0; i < groups.length; i++) {
        groups[i].hidden = groups[i].getAttribute("data-indicator-kind") !== select.value;
      }
      var hint = form.querySelector(".indicator-fieldset__hint");
      if (hint) {
        hint.hidden = true;
      }
    }

    function query() {
      var params = new URLSearchParams();
      var data = new FormData(form);
      var prefix = "param__" + select.value + "__";
      data.forEach(function (value, name) {
        if (name === "indicator_kind" || name === "accumulation" || name === "period_start" || name.indexOf(prefix) === 0) {
          params.append(name, value);
        }
      });
      var target = form.getAttribute("data-target");
      if (target) {
        params.append("target", target);
      }
      return params.toString();
    }

    function refresh() {
      if (!select.value) {
        output.textContent = output.getAttribute("data-empty") || "–";
        output.classList.remove("indicator-preview--error");
        return;
      }
      var request = ++latest;
      output.setAttribute("aria-busy", "true");
      fetch(url + "?" + query(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (answer) {
          if (request !== latest) {
            return;
          }
          output.removeAttribute("aria-busy");
          if (answer.error) {
            output.textContent = answer.error;
            output.classList.add("indicator-preview--error");
          } else {
            output.textContent = answer.formatted + (answer.unit ? " " + answer.unit : "");
            output.classList.remove("indicator-preview--error");
          }
        })
        .catch(function () {
          if (request === latest) {
            output.removeAttribute("aria-busy");
            output.textContent = output.getAttribute("data-failed") || "–";
            output.classList.add("indicator-preview--error");
          }
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    }

    form.addEventListener("change", function (event) {
      if (event.target === select) {
        showChosen();
      }
      schedule();
    });
    form.addEventListener("input", schedule);
    showChosen();
    refresh();
  }

  function start() {
    var forms = document.querySelectorAll("form[data-preview-url]");
    for (var i = 0; i < forms.length; i++) {
      init(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
