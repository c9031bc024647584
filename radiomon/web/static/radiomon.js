// radiomon web UI: play at the second, follow the transcript, review mentions by keyboard.
// The only script of the site besides htmx (the Content-Security-Policy forbids inline scripts).
(function () {
  "use strict";

  function player() {
    return document.getElementById("player");
  }

  // Seek once the browser knows the file's length; seeking before that is ignored.
  function seek(audio, seconds, play) {
    var go = function () {
      audio.currentTime = seconds;
      if (play) {
        audio.play().catch(function () {});
      }
    };
    if (audio.readyState >= 1) {
      go();
    } else {
      audio.addEventListener("loadedmetadata", go, { once: true });
      if (audio.preload === "none") {
        audio.preload = "metadata";
        audio.load();
      }
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.play");
    var audio = player();
    if (button && audio) {
      var src = button.getAttribute("data-src");
      if (audio.getAttribute("src") !== src) {
        audio.setAttribute("src", src);
        audio.load();
      }
      seek(audio, parseFloat(button.getAttribute("data-t")), true);
      return;
    }
    var line = event.target.closest("#transcript li.seg");
    // Selecting text to copy a quote is a click too: leave the audio alone then.
    if (line && audio && !String(window.getSelection() || "")) {
      seek(audio, parseFloat(line.getAttribute("data-start")), true);
    }
  });

  // The line and the word being heard, highlighted and kept in view.
  function followTranscript(audio) {
    var lines = Array.prototype.slice.call(document.querySelectorAll("#transcript li.seg"));
    if (!lines.length) {
      return;
    }
    var starts = lines.map(function (l) { return parseFloat(l.getAttribute("data-start")); });
    var currentLine = null;
    var currentWord = null;

    function lineAt(t) {
      var lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      return found >= 0 ? lines[found] : null;
    }

    // The words of a line as spans, made the first time the line is heard
    // (data-w: "start:length" per word, the words separated by one space).
    function wordsOf(line) {
      if (line.wordSpans) {
        return line.wordSpans;
      }
      var text = line.querySelector(".text");
      var marks = (text && text.getAttribute("data-w") || "").trim();
      line.wordSpans = [];
      if (!marks) {
        return line.wordSpans;
      }
      var content = text.textContent;
      var position = 0;
      var fragment = document.createDocumentFragment();
      marks.split(" ").forEach(function (mark, i) {
        var parts = mark.split(":");
        var length = parseInt(parts[1], 10);
        if (i > 0) {
          fragment.appendChild(document.createTextNode(" "));
        }
        var span = document.createElement("span");
        span.className = "w";
        span.setAttribute("data-s", parts[0]);
        span.textContent = content.substr(position, length);
        fragment.appendChild(span);
        line.wordSpans.push(span);
        position += length + 1;
      });
      text.textContent = "";
      text.appendChild(fragment);
      return line.wordSpans;
    }

    function wordAt(line, t) {
      var words = line ? wordsOf(line) : [];
      var found = null;
      for (var i = 0; i < words.length; i++) {
        if (parseFloat(words[i].getAttribute("data-s")) <= t + 0.05) { found = words[i]; } else { break; }
      }
      return found;
    }

    function update() {
      var t = audio.currentTime;
      var line = lineAt(t);
      if (line !== currentLine) {
        if (currentLine) { currentLine.classList.remove("current"); }
        if (line) {
          line.classList.add("current");
          line.scrollIntoView({ block: "nearest" });
        }
        currentLine = line;
      }
      var word = wordAt(line, t);
      if (word !== currentWord) {
        if (currentWord) { currentWord.classList.remove("current-word"); }
        if (word) { word.classList.add("current-word"); }
        currentWord = word;
      }
    }

    var frame = null;
    function loop() {
      update();
      frame = audio.paused ? null : window.requestAnimationFrame(loop);
    }
    audio.addEventListener("play", function () { if (!frame) { frame = window.requestAnimationFrame(loop); } });
    audio.addEventListener("seeked", update);
    audio.addEventListener("timeupdate", update);
    var start = audio.getAttribute("data-start");
    if (start !== null) {
      seek(audio, parseFloat(start), false);
    }
  }

  // Menciones: j/k move, c confirms, f marks a false positive, u undoes.
  var selectedId = location.hash.indexOf("#m") === 0 ? location.hash.slice(2) : null;

  function mentionItems() {
    return Array.prototype.slice.call(document.querySelectorAll("#lista li.mencion"));
  }

  function select(item, scroll) {
    mentionItems().forEach(function (li) { li.classList.remove("selected"); });
    if (!item) {
      return;
    }
    item.classList.add("selected");
    selectedId = item.getAttribute("data-id");
    if (scroll) {
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest" });
      history.replaceState(null, "", "#m" + selectedId);
    }
  }

  function restoreSelection() {
    var items = mentionItems();
    var item = items.filter(function (li) { return li.getAttribute("data-id") === selectedId; })[0];
    select(item || null, false);
  }

  var ACTIONS = { c: "button.confirm", f: "button.reject", u: "button.undo" };

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("lista") || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.target.closest && event.target.closest("input, select, textarea, button")) {
      return;
    }
    var items = mentionItems();
    if (!items.length) {
      return;
    }
    var index = items.findIndex(function (li) { return li.getAttribute("data-id") === selectedId; });
    if (event.key === "j") {
      select(items[Math.min(index + 1, items.length - 1)], true);
    } else if (event.key === "k") {
      select(items[Math.max(index - 1, 0)], true);
    } else if (ACTIONS[event.key]) {
      var button = index >= 0 ? items[index].querySelector(ACTIONS[event.key]) : null;
      if (button && !button.disabled) {
        button.click();
      }
    } else {
      return;
    }
    event.preventDefault();
  });

  // A refreshed list (htmx polling) keeps the selection.
  document.addEventListener("htmx:afterSettle", restoreSelection);

  document.addEventListener("DOMContentLoaded", function () {
    var audio = player();
    if (audio && document.getElementById("transcript")) {
      followTranscript(audio);
    }
    if (document.getElementById("lista")) {
      restoreSelection();
    }
  });
})();
