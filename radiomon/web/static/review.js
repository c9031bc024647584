// Menciones as a review queue: the selection moves on after a verdict, rows are ticked and judged
// together, ▶ plays a row in the page's one player. radiomon.js plays (button.play → #player);
// this script owns the queue's keys and its selection (it runs after radiomon.js, so its
// handlers have the last word on what is selected).
(function () {
  "use strict";

  var selectedId = location.hash.indexOf("#m") === 0 ? location.hash.slice(2) : null;
  var pending = null;  // the row a verdict was sent for: {id, index}
  var ticked = null;   // ticked rows kept across the list's refresh (today's list polls)

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#lista li.mencion"));
  }

  function indexOf(list, id) {
    return list.findIndex(function (li) { return li.getAttribute("data-id") === id; });
  }

  function select(item, move) {
    items().forEach(function (li) { li.classList.remove("selected"); });
    if (!item) {
      return;
    }
    item.classList.add("selected");
    selectedId = item.getAttribute("data-id");
    if (move) {
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest" });
      history.replaceState(null, "", location.pathname + location.search + "#m" + selectedId);
    }
  }

  // The next row without a verdict from position ``from`` on (wrapping), else the row there.
  function nextUnreviewed(list, from, skipId) {
    for (var step = 0; step < list.length; step++) {
      var li = list[(from + step) % list.length];
      if (li.classList.contains("review-none") && li.getAttribute("data-id") !== skipId) {
        return li;
      }
    }
    return list[Math.min(from, list.length - 1)] || null;
  }

  function play(item) {
    var button = item && item.querySelector("button.play");
    if (button) {
      button.click();
    }
  }

  var ACTIONS = { c: "button.confirm", f: "button.reject", u: "button.undo" };

  // On window, capturing: before radiomon.js's own Menciones keys, which this replaces.
  window.addEventListener("keydown", function (event) {
    if (!document.getElementById("lista") || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target.closest && target.closest("input, select, textarea, audio")) {
      return;
    }
    var list = items();
    if (!list.length) {
      return;
    }
    var index = indexOf(list, selectedId);
    var item = index >= 0 ? list[index] : null;
    if (event.key === "j") {
      select(list[Math.min(index + 1, list.length - 1)], true);
    } else if (event.key === "k") {
      select(list[Math.max(index - 1, 0)], true);
    } else if (event.key === "p") {
      play(item);
    } else if (event.key === "x") {
      var box = item && item.querySelector("input.pick");
      if (box) { box.checked = !box.checked; }
    } else if (ACTIONS[event.key]) {
      var button = item ? item.querySelector(ACTIONS[event.key]) : null;
      if (button && !button.disabled) {
        button.click();
      }
    } else {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
  }, true);

  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest("#lista li.mencion");
    if (!item) {
      return;
    }
    if (event.target.closest("button.play")) {
      document.getElementById("reproductor").hidden = false;
    }
    if (!event.target.closest("a, input")) {
      select(item, false);
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("pick-all")) {
      items().forEach(function (li) {
        var box = li.querySelector("input.pick");
        if (box) { box.checked = event.target.checked; }
      });
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.detail.elt.closest && event.detail.elt.closest("#lista li.mencion");
    if (row) {
      pending = { id: row.getAttribute("data-id"), index: indexOf(items(), row.getAttribute("data-id")) };
    }
    var list = document.getElementById("lista");
    if (event.detail.elt.id === "menciones" && list) {  // the refresh: keep what is ticked
      ticked = Array.prototype.slice.call(list.querySelectorAll("input.pick:checked"))
        .map(function (box) { return box.value; });
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var list = items();
    if (pending && event.detail.requestConfig && event.detail.requestConfig.elt.closest &&
        !event.detail.requestConfig.elt.isConnected) {
      // A row's verdict: the row was replaced (or left the filtered list); move on from where it was.
      var at = indexOf(list, pending.id);
      var from = at >= 0 ? at + 1 : pending.index;
      var next = list.length ? nextUnreviewed(list, Math.max(0, from) % list.length, at >= 0 ? null : pending.id) : null;
      pending = null;
      select(next, true);
      return;
    }
    if (ticked) {
      list.forEach(function (li) {
        var box = li.querySelector("input.pick");
        if (box && ticked.indexOf(box.value) >= 0) { box.checked = true; }
      });
      ticked = null;
    }
    var kept = list[indexOf(list, selectedId)];
    select(kept || null, false);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var list = items();
    var kept = list[indexOf(list, selectedId)];
    select(kept || null, false);
  });
})();
