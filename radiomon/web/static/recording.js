// Grabación: the target line clear of the sticky player, the line being heard kept near the middle,
// ±5 s and speed controls (keys too), mentions opened in a panel and added by hand from a line
// or from words selected in it. radiomon.js plays, seeks and highlights the line and the word.
(function () {
  "use strict";

  function player() { return document.getElementById("player"); }
  function panel() { return document.getElementById("panel"); }

  // The sticky player's height as --player-h: the lines' scroll-margin-top (review.css), so a line
  // scrolled to (#s…, ?t=) is never under the bar.
  function measurePlayer() {
    var bar = document.querySelector(".recording-page .player-bar");
    if (bar) {
      document.documentElement.style.setProperty("--player-h", bar.offsetHeight + "px");
    }
  }

  function target() {
    var id = location.hash.slice(1);
    return id && id.charAt(0) === "s" ? document.getElementById(id) : null;
  }

  // While it plays, the line being heard is kept near the middle (radiomon.js keeps it merely in view).
  function keepCurrentInMiddle() {
    var transcript = document.getElementById("transcript");
    var audio = player();
    if (!transcript || !audio || !window.MutationObserver) {
      return;
    }
    new MutationObserver(function (changes) {
      if (audio.paused) {
        return;
      }
      for (var i = 0; i < changes.length; i++) {
        var line = changes[i].target;
        if (line.classList && line.classList.contains("current")) {
          line.scrollIntoView({ block: "center" });
          return;
        }
      }
    }).observe(transcript, { attributes: true, attributeFilter: ["class"], subtree: true });
  }

  function nudge(seconds) {
    var audio = player();
    if (audio) {
      audio.currentTime = Math.max(0, Math.min((audio.duration || Infinity), audio.currentTime + seconds));
    }
  }

  function setRate(rate) {
    var audio = player();
    if (!audio) {
      return;
    }
    audio.playbackRate = rate;
    audio.defaultPlaybackRate = rate;
    Array.prototype.forEach.call(document.querySelectorAll("button.speed"), function (b) {
      b.setAttribute("aria-pressed", parseFloat(b.getAttribute("data-rate")) === rate ? "true" : "false");
    });
  }

  // -- adding a mention by hand ------------------------------------------------------------------
  var marked = null;  // the last words selected in a line: {segment, words, offset}

  // The second the selection starts at: its character position in the line mapped through the
  // line's word marks (data-w: "start:length" per word, one space between words).
  function selectionIn(text, range) {
    var before = document.createRange();
    before.selectNodeContents(text);
    before.setEnd(range.startContainer, range.startOffset);
    var at = before.toString().length;
    var words = range.toString();
    if (!text.contains(range.endContainer)) {
      words = text.textContent.slice(at);
    }
    var marks = (text.getAttribute("data-w") || "").trim();
    var offset = null;
    if (marks) {
      var position = 0;
      marks.split(" ").some(function (mark) {
        var parts = mark.split(":");
        var length = parseInt(parts[1], 10);
        offset = parseFloat(parts[0]);
        if (at < position + length + 1) {
          return true;
        }
        position += length + 1;
        return false;
      });
    }
    return { words: words.replace(/\s+/g, " ").trim(), offset: offset };
  }

  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return;
    }
    var range = selection.getRangeAt(0);
    var node = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentNode;
    var text = node && node.closest && node.closest("#transcript li.seg .text");
    if (!text) {
      return;
    }
    var found = selectionIn(text, range);
    if (found.words) {
      marked = { segment: text.closest("li.seg").id.slice(1), words: found.words, offset: found.offset };
    }
  });

  function openAddForm(line) {
    var link = line && line.querySelector("a.add-mention");
    if (!link || !window.htmx) {
      return;
    }
    var url = link.getAttribute("href");
    var segment = line.id.slice(1);
    if (marked && marked.segment === segment) {
      url += "&palabras=" + encodeURIComponent(marked.words);
      if (marked.offset !== null) {
        url += "&desde=" + marked.offset.toFixed(3);
      }
    }
    marked = null;
    window.htmx.ajax("GET", url, { target: "#panel-body", swap: "innerHTML" });
  }

  function filterTerms(form) {
    var group = form.querySelector("select.hand-group");
    var term = form.querySelector("select.hand-term");
    if (!group || !term) {
      return;
    }
    var first = null;
    Array.prototype.forEach.call(term.querySelectorAll("optgroup"), function (optgroup) {
      var mine = optgroup.getAttribute("data-group") === group.value;
      optgroup.hidden = !mine;
      optgroup.disabled = !mine;
      if (mine && !first) { first = optgroup.querySelector("option"); }
    });
    var chosen = term.selectedOptions[0];
    if (first && (!chosen || chosen.getAttribute("data-group") !== group.value)) {
      first.selected = true;
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("hand-group")) {
      filterTerms(event.target.form);
    }
  });

  // -- the panel ------------------------------------------------------------------------------
  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = panel();
    if (dialog && event.detail.target && event.detail.target.id === "panel-body") {
      var form = dialog.querySelector("form.hand-mention");
      if (form) { filterTerms(form); }
      if (!dialog.open) { dialog.show(); }  // not modal: the page and the audio go on
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("#panel [data-close]")) {
      panel().close();
      return;
    }
    var line = event.target.closest("#transcript li.seg");
    if (!line) {
      return;
    }
    if (event.target.closest("a.add-mention")) {
      event.preventDefault();
      event.stopPropagation();  // nor a click on the line, which would seek
      openAddForm(line);
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || !player()) {
      return;
    }
    if (event.key === "Escape" && panel() && panel().open) {
      panel().close();
      return;
    }
    if (event.target.closest && event.target.closest("input, select, textarea, audio, dialog")) {
      return;
    }
    var audio = player();
    if (event.key === "ArrowLeft") {
      nudge(-5);
    } else if (event.key === "ArrowRight") {
      nudge(5);
    } else if (event.key === " " && !event.target.closest("button, a")) {
      if (audio.paused) { audio.play().catch(function () {}); } else { audio.pause(); }
    } else if (event.key === "1" || event.key === "2" || event.key === "3") {
      setRate({ 1: 1, 2: 1.5, 3: 2 }[event.key]);
    } else if (event.key === "m") {
      openAddForm(document.querySelector("#transcript li.seg.current") || target());
    } else {
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.getElementById("transcript")) {
      return;
    }
    measurePlayer();
    if (window.ResizeObserver) {
      var bar = document.querySelector(".recording-page .player-bar");
      if (bar) { new ResizeObserver(measurePlayer).observe(bar); }
    }
    var line = target();
    if (line) {
      line.scrollIntoView({ block: "start" });  // again, now that the margin is the bar's height
    }
    keepCurrentInMiddle();
    // A badge opens its mention in the panel (htmx, on the badge itself); the click must not reach
    // radiomon.js's line handler on the document, which would seek the audio to the line.
    document.getElementById("transcript").addEventListener("click", function (event) {
      if (event.target.closest(".badges")) {
        event.stopPropagation();
      }
    });
    var back = document.querySelector("button.back5");
    var forward = document.querySelector("button.fwd5");
    if (back) { back.addEventListener("click", function () { nudge(-5); }); }
    if (forward) { forward.addEventListener("click", function () { nudge(5); }); }
    Array.prototype.forEach.call(document.querySelectorAll("button.speed"), function (button) {
      button.addEventListener("click", function () { setRate(parseFloat(button.getAttribute("data-rate"))); });
    });
  });
})();
