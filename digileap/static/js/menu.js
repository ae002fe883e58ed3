/* On a narrow screen the main menu and the section's menu (and the password link and the language
   choice) fold behind the header's "Menu" button
   (digileap.css hides them only once this script has marked the header, so without JavaScript they
   show as on a wide screen). The button says whether they are open (aria-expanded). */
(function () {
  "use strict";

  function start() {
    var header = document.querySelector(".site-header");
    var toggle = header && header.querySelector(".menu-toggle");
    var menus = document.getElementById("site-menus");
    if (!toggle || !menus) {
      return;
    }
    header.classList.add("site-header--foldable");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menus.classList.toggle("site-menus--open", open);
      header.classList.toggle("site-header--open", open);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
