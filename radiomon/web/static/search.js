// Buscar: on a phone the five filters would fill the first screen, so they start folded behind
// «Filtros» (unless one is in use); a desktop keeps them open (search.css hides the button there).
(function () {
  "use strict";
  var PHONE = "(max-width: 600px)";

  function fold() {
    var details = document.querySelector("details.filters-fold");
    if (!details) {
      return;
    }
    if (window.matchMedia(PHONE).matches) {
      if (!details.hasAttribute("data-in-use")) {
        details.open = false;
      }
    } else {
      details.open = true;
    }
  }

  document.addEventListener("DOMContentLoaded", fold);
  window.matchMedia(PHONE).addEventListener("change", fold);
})();
