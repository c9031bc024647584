// The Síntesis editor: each control saves as it changes (htmx posts the row's form with its rev), a
// refused save (409: someone else changed the item; 422: a value the archive refuses) shows on the row,
// and moving an item keeps the keyboard's focus on it. Loaded only by the Síntesis page.
(function () {
  "use strict";

  // htmx does not swap 4xx answers by default; these two carry the row to show.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Name the control that changed, so the server saves that field only (the rest of the row is context).
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    var cause = event.detail.triggeringEvent && event.detail.triggeringEvent.target;
    if (form.classList && form.classList.contains("item-form") && cause && cause.name) {
      event.detail.parameters.campo = cause.name;
    }
  });

  // Saved as typed: Enter in a headline commits it (a change event) instead of submitting the form.
  document.addEventListener("submit", function (event) {
    if (event.target.classList.contains("item-form")) {
      event.preventDefault();
    }
  });
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key === "Enter" && field.matches && field.matches(".item-form input[type=text]")) {
      event.preventDefault();
      field.blur();
      field.focus();
    }
  });

  // A moved item's section is drawn again: the focus goes back to the button that moved it.
  var moving = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = event.detail.elt;
    if (button.matches && button.matches("button.move")) {
      moving = { row: button.closest("li").id, value: button.value };
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!moving) {
      return;
    }
    var button = document.querySelector("#" + moving.row + " button.move[value='" + moving.value + "']");
    moving = null;
    if (button) {
      button.focus();
    }
  });

  // A note added: the form is emptied for the next one.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form.matches && form.matches("form.add-note-form")) {
      form.reset();
    }
  });
})();
