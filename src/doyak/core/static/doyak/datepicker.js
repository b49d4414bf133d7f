/* KRDS date input (krds-uiux date_input): each [data-datepicker] holds a text field for YYYY-MM-DD and a hidden
   calendar button. This script shows the button and, when it is pressed, builds KRDS's calendar markup
   (calendar-wrap, calendar-head, calendar-tbl, btn-set-date) for the field's month in .krds-calendar-area.
   Keyboard: arrows move a day or a week, PageUp/PageDown a month, Home/End the week's ends, Enter or Space
   picks the day, Escape closes and returns focus to the button. Without this script the text field alone
   works (the server reads YYYY-MM-DD). Labels come from the widget's data-label-* attributes (translated by
   Django). A static file: the Content-Security-Policy refuses inline script. */
(function () {
  "use strict";
  var ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
  var count = 0;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function parse(text) {
    var m = ISO.exec((text || "").trim());
    if (!m) return null;
    var d = new Date(+m[1], +m[2] - 1, +m[3]);
    return d.getMonth() === +m[2] - 1 ? d : null;
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setup(root) {
    var input = root.querySelector("input.datepicker");
    var opener = root.querySelector(".form-btn-datepicker");
    var area = root.querySelector(".krds-calendar-area");
    if (!input || !opener || !area || root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    if (!area.id) area.id = "dy-calendar-" + (++count);
    var label = function (name) { return root.getAttribute("data-label-" + name) || name; };
    var weekdays = (root.getAttribute("data-weekdays") || "Sun Mon Tue Wed Thu Fri Sat").split(" ");
    var ko = (document.documentElement.lang || "ko").indexOf("ko") === 0;
    var focus = null; // the day that holds the keyboard focus

    opener.hidden = false;

    function close(returnFocus) {
      area.classList.remove("active");
      area.textContent = "";
      opener.setAttribute("aria-expanded", "false");
      if (returnFocus) opener.focus();
    }

    function pick(day) {
      input.value = iso(day);
      input.dispatchEvent(new Event("change", { bubbles: true }));
      close(false);
      input.focus();
    }

    function title(d) {
      return ko ? d.getFullYear() + "년 " + (d.getMonth() + 1) + "월"
        : d.toLocaleDateString("en", { year: "numeric", month: "long" });
    }

    function render() {
      area.textContent = "";
      var wrap = el("div", "calendar-wrap single");
      wrap.setAttribute("role", "dialog");
      wrap.setAttribute("aria-label", label("calendar"));
      var head = el("div", "calendar-head");
      var prev = el("button", "btn-cal-move prev");
      prev.type = "button";
      prev.appendChild(el("span", "sr-only", label("prev")));
      var next = el("button", "btn-cal-move next");
      next.type = "button";
      next.appendChild(el("span", "sr-only", label("next")));
      var caption = el("div", "calendar-switch-wrap", title(focus));
      caption.id = area.id + "_title";
      caption.setAttribute("aria-live", "polite");
      head.appendChild(prev); head.appendChild(caption); head.appendChild(next);
      wrap.appendChild(head);

      var body = el("div", "calendar-body");
      var tableWrap = el("div", "calendar-table-wrap");
      var table = el("table", "calendar-tbl");
      table.setAttribute("role", "grid");
      table.setAttribute("aria-labelledby", caption.id);  // KRDS styles a caption visibly: the head names it
      var thead = el("thead"), hr = el("tr");
      weekdays.forEach(function (w) { var th = el("th", "", w); th.scope = "col"; hr.appendChild(th); });
      thead.appendChild(hr); table.appendChild(thead);
      var tbody = el("tbody");
      var first = new Date(focus.getFullYear(), focus.getMonth(), 1);
      var start = new Date(first); start.setDate(1 - first.getDay());
      var today = iso(new Date()), chosen = input.value.trim();
      for (var week = 0; week < 6; week++) {
        var tr = el("tr");
        for (var i = 0; i < 7; i++) {
          var day = new Date(start); day.setDate(start.getDate() + week * 7 + i);
          var td = el("td");
          if (day.getMonth() !== focus.getMonth()) td.className = day < first ? "old" : "new";
          if (iso(day) === today) td.classList.add("today");
          var b = el("button", "btn-set-date");
          b.type = "button";
          b.setAttribute("data-date", iso(day));
          b.setAttribute("aria-label", ko ? (day.getMonth() + 1) + "월 " + day.getDate() + "일"
            : day.toLocaleDateString("en", { month: "long", day: "numeric", year: "numeric" }));
          b.appendChild(el("span", "", String(day.getDate())));
          var isFocus = iso(day) === iso(focus);
          b.tabIndex = isFocus ? 0 : -1;
          if (iso(day) === chosen) { td.classList.add("period", "start", "end"); b.setAttribute("aria-pressed", "true"); }
          td.appendChild(b);
          tr.appendChild(td);
        }
        tbody.appendChild(tr);
        if (week >= 4 && day.getMonth() !== focus.getMonth()) break;
      }
      table.appendChild(tbody);
      tableWrap.appendChild(table); body.appendChild(tableWrap); wrap.appendChild(body);

      var foot = el("div", "calendar-footer"), btns = el("div", "calendar-btn-wrap");
      var todayBtn = el("button", "krds-btn small text", label("today")); todayBtn.type = "button";
      var closeBtn = el("button", "krds-btn small secondary", label("close")); closeBtn.type = "button";
      btns.appendChild(todayBtn); btns.appendChild(closeBtn); foot.appendChild(btns); wrap.appendChild(foot);
      area.appendChild(wrap);

      prev.addEventListener("click", function () { move(0, -1, prev); });
      next.addEventListener("click", function () { move(0, 1, next); });
      todayBtn.addEventListener("click", function () { pick(new Date()); });
      closeBtn.addEventListener("click", function () { close(true); });
      tbody.addEventListener("click", function (e) {
        var b = e.target.closest(".btn-set-date");
        if (b) pick(parse(b.getAttribute("data-date")));
      });
      tbody.addEventListener("keydown", keys);
      wrap.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { e.preventDefault(); close(true); }
      });
    }

    function move(days, months, keep) {
      var d = new Date(focus);
      if (months) { d.setDate(1); d.setMonth(d.getMonth() + months);
        d.setDate(Math.min(focus.getDate(), new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate())); }
      d.setDate(d.getDate() + days);
      focus = d;
      render();
      var target = keep ? area.querySelector(".btn-cal-move." + (keep.classList.contains("prev") ? "prev" : "next"))
        : area.querySelector('.btn-set-date[data-date="' + iso(focus) + '"]');
      if (target) target.focus();
    }

    function keys(e) {
      var map = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [-7, 0], ArrowDown: [7, 0],
                  PageUp: [0, -1], PageDown: [0, 1], Home: [-focus.getDay(), 0], End: [6 - focus.getDay(), 0] };
      if (map[e.key]) { e.preventDefault(); move(map[e.key][0], map[e.key][1]); }
    }

    opener.addEventListener("click", function () {
      if (area.classList.contains("active")) { close(true); return; }
      focus = parse(input.value) || new Date();
      area.classList.add("active");
      opener.setAttribute("aria-expanded", "true");
      render();
      var day = area.querySelector('.btn-set-date[tabindex="0"]');
      if (day) day.focus();
    });
    document.addEventListener("click", function (e) {
      if (area.classList.contains("active") && !root.contains(e.target)) close(false);
    });
  }

  function init() { document.querySelectorAll("[data-datepicker]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  document.addEventListener("htmx:afterSwap", function (e) {
    (e.target.querySelectorAll ? e.target.querySelectorAll("[data-datepicker]") : []).forEach(setup);
  });
})();
