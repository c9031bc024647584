// Palabras clave: follow the background re-match that a change started, without reloading the page.
(function () {
  "use strict";

  function follow(box) {
    var poll = function () {
      fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          box.hidden = !state.text;
          box.textContent = state.text;
          box.setAttribute("data-running", state.running ? "1" : "0");
          if (state.running) {
            window.setTimeout(poll, 1500);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("actualizacion");
    // A change was just saved: its re-match may start a moment after the page is drawn.
    if (box && (box.getAttribute("data-running") === "1" || document.getElementById("guardado"))) {
      follow(box);
    }
  });
})();
