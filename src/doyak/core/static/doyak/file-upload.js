/* KRDS file-upload block (krds-uiux file_upload): each [data-file-upload] holds the native file input, which
   stays visible, focusable and labelled (it works without this script). This script lets a file be dropped on
   the block (it becomes the input's file, as if chosen) and lists the chosen files with their sizes. A static
   file: the Content-Security-Policy refuses inline script. */
(function () {
  "use strict";
  function size(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function setup(root) {
    if (root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    var input = root.querySelector('input[type="file"]');
    var zone = root.querySelector(".file-upload");
    var list = root.querySelector(".file-list");
    var items = root.querySelector(".upload-list");
    if (!input || !zone || !list || !items) return;

    function show() {
      items.textContent = "";
      Array.prototype.forEach.call(input.files || [], function (file) {
        var li = document.createElement("li");
        var info = document.createElement("div");
        info.className = "file-info";
        var name = document.createElement("div");
        name.className = "file-name";
        name.textContent = (root.getAttribute("data-label-chosen") || "") + ": " + file.name + " [" + size(file.size) + "]";
        info.appendChild(name);
        li.appendChild(info);
        items.appendChild(li);
      });
      list.hidden = !(input.files && input.files.length);
    }

    input.addEventListener("change", show);
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("active"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("active"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("active");
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      try {
        input.files = e.dataTransfer.files;
      } catch (err) { return; }
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function init(scope) { (scope || document).querySelectorAll("[data-file-upload]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSwap", function (e) { if (e.target.querySelectorAll) init(e.target); });
})();
