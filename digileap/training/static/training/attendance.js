// The attendance page: a tap on present, absent or excused posts that row at once (fetch, with the
// row's CSRF token) and updates the row and the counts from the JSON answer. Without this script
// every row is an ordinary form that posts and reloads the page.
(function () {
  "use strict";

  function updateCounts(counts) {
    if (!counts) {
      return;
    }
    Object.keys(counts).forEach(function (key) {
      var cell = document.querySelector('[data-attendance-counts] [data-count="' + key + '"]');
      if (cell) {
        cell.textContent = new Intl.NumberFormat(document.documentElement.lang || undefined).format(counts[key]);
      }
    });
  }

  function updateRow(data) {
    var item = document.getElementById("row-" + data.enrolment);
    if (!item) {
      return;
    }
    item.setAttribute("data-status", data.status || "");
    item.querySelectorAll("button[name=status]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === data.status ? "true" : "false");
    });
    var minutes = item.querySelector("input[name=minutes]");
    if (minutes) {
      minutes.value = data.status === "present" && data.minutes !== null ? String(data.minutes) : "";
    }
    var completed = item.querySelector("[data-completed]");
    if (completed) {
      completed.hidden = !data.completed;
    }
    var error = item.querySelector("[data-row-error]");
    if (error) {
      error.hidden = true;
      error.textContent = "";
    }
  }

  function showError(form, messages) {
    var error = form.querySelector("[data-row-error]");
    var list = document.querySelector("[data-attendance-list]");
    if (error) {
      error.textContent = messages && messages.length ? messages.join(" ") : (list && list.getAttribute("data-error-text")) || "";
      error.hidden = false;
    }
  }

  function post(form, body) {
    form.setAttribute("aria-busy", "true");
    return fetch(form.action || window.location.href, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, data: data };
      });
    }).finally(function () {
      form.removeAttribute("aria-busy");
    });
  }

  function onRowSubmit(event) {
    var form = event.target;
    var button = event.submitter;
    if (!button || button.name !== "status") {
      return;
    }
    event.preventDefault();
    var body = new FormData(form);
    body.set("status", button.value);
    post(form, body).then(function (result) {
      if (result.ok) {
        updateRow(result.data);
        updateCounts(result.data.counts);
      } else {
        showError(form, result.data.errors);
      }
    }).catch(function () {
      showError(form, null);
    });
  }

  function onAllSubmit(event) {
    var form = event.target;
    event.preventDefault();
    post(form, new FormData(form)).then(function (result) {
      if (result.ok) {
        result.data.rows.forEach(updateRow);
        updateCounts(result.data.counts);
        form.hidden = true;
      } else {
        form.submit();
      }
    }).catch(function () {
      form.submit();
    });
  }

  function setUp() {
    document.querySelectorAll("[data-attendance-row]").forEach(function (form) {
      form.addEventListener("submit", onRowSubmit);
    });
    var all = document.querySelector("[data-attendance-all]");
    if (all) {
      all.addEventListener("submit", onAllSubmit);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
