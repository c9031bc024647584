// «Copiar para WhatsApp»: a button's data-share text to the clipboard.
// navigator.clipboard exists only on secure origins (https, or this machine); an office
// server on a LAN address over http gets the older copy command instead.
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    return done;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; },
                                                      function () { return fallbackCopy(text); });
    }
    return Promise.resolve(fallbackCopy(text));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.share");
    if (!button) {
      return;
    }
    event.stopPropagation();  // not a click on the transcript line (which would seek)
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    copy(button.getAttribute("data-share")).then(function (done) {
      button.textContent = done ? "Copiado ✓" : "No se pudo copiar";
      button.setAttribute("data-copied", done ? "1" : "0");
      window.setTimeout(function () { button.textContent = label; }, 2500);
    });
  }, true);
})();
