/* The main menu's "More" submenu is a <details> disclosure (it opens and closes without script). This script
   closes it on Escape (focus back on its summary) and on a click outside it. A static file: the CSP refuses
   inline script. */
(function () {
  "use strict";
  function openMenus() { return document.querySelectorAll(".dy-nav-more details[open]"); }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    openMenus().forEach(function (d) {
      d.open = false;
      var summary = d.querySelector("summary");
      if (summary && d.contains(document.activeElement)) summary.focus();
    });
  });
  document.addEventListener("click", function (e) {
    openMenus().forEach(function (d) { if (!d.contains(e.target)) d.open = false; });
  });
})();
