/* Confirmation before an irreversible action, in a KRDS modal (core/_confirm.html).
   A form with data-confirm="<dialog id>" opens that dialog instead of submitting; its confirm button submits
   the form (with the button that was pressed), Cancel, Escape or a click outside closes it and puts focus back.
   Focus stays inside the dialog while it is open. A static file: the Content-Security-Policy refuses inline script. */
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex='0']";
  var open = null; // {modal, form, submitter, returnTo}

  function focusables(modal) {
    return Array.prototype.filter.call(modal.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null;
    });
  }

  function show(modal, form, submitter) {
    open = { modal: modal, form: form, submitter: submitter, returnTo: submitter || document.activeElement };
    modal.classList.add("shown");
    modal.querySelector(".modal-back").classList.add("in");
    document.body.classList.add("dy-modal-open");
    modal.classList.add("in");
    // the safe choice first: Enter on an irreversible action must not confirm it by accident
    var cancel = modal.querySelector("[data-confirm-cancel]");
    (cancel || modal.querySelector(".modal-content")).focus();
  }

  function hide() {
    if (!open) return;
    var state = open;
    open = null;
    state.modal.classList.remove("in");
    state.modal.querySelector(".modal-back").classList.remove("in");
    state.modal.classList.remove("shown");
    document.body.classList.remove("dy-modal-open");
    return state;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var id = form.getAttribute("data-confirm");
    if (!id || form.getAttribute("data-confirmed") === "yes") return;
    var modal = document.getElementById(id);
    if (!modal) return;
    event.preventDefault();
    show(modal, form, event.submitter || null);
  });

  document.addEventListener("click", function (event) {
    if (!open) return;
    var target = event.target;
    if (target.closest("[data-confirm-ok]")) {
      var state = hide();
      state.form.setAttribute("data-confirmed", "yes");
      if (state.form.requestSubmit) state.form.requestSubmit(state.submitter || undefined);
      else state.form.submit();
    } else if (target.closest("[data-confirm-cancel]") || !target.closest(".modal-content")) {
      var closed = hide();
      if (closed && closed.returnTo) closed.returnTo.focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (!open) return;
    if (event.key === "Escape") {
      event.preventDefault();
      var closed = hide();
      if (closed.returnTo) closed.returnTo.focus();
    } else if (event.key === "Tab") {
      var items = focusables(open.modal);
      if (!items.length) return;
      var first = items[0], last = items[items.length - 1];
      if (event.shiftKey && (document.activeElement === first || !open.modal.contains(document.activeElement))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (document.activeElement === last || !open.modal.contains(document.activeElement))) {
        event.preventDefault();
        first.focus();
      }
    }
  });
})();
