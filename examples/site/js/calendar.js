/*
 * Highlights the next event in every event list on the page, greys out the ones that are
 * over, and writes a countdown where the page has a place for it. Works from the markup
 * alone: each event is an <li data-event-date="YYYY-MM-DD" [data-event-end="YYYY-MM-DD"]>.
 * No external loads. For a preview of another day, add ?today=YYYY-MM-DD to the URL.
 */
(function () {
  "use strict";

  var DAY = 24 * 60 * 60 * 1000;

  // Dates are calendar days at the track, so compare them as local midnights.
  function parseDay(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    if (!m) {
      return null;
    }
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  }

  function today() {
    var override = /[?&]today=(\d{4}-\d{2}-\d{2})/.exec(window.location.search);
    var day = override ? parseDay(override[1]) : null;
    if (day) {
      return day;
    }
    var now = new Date();
    return new Date(now.getFullYear(), now.getMonth(), now.getDate());
  }

  function daysBetween(from, to) {
    return Math.round((to.getTime() - from.getTime()) / DAY);
  }

  function describe(days) {
    if (days <= 0) {
      return "today";
    }
    if (days === 1) {
      return "tomorrow";
    }
    if (days < 14) {
      return "in " + days + " days";
    }
    var weeks = Math.round(days / 7);
    return "in " + weeks + " weeks";
  }

  function markList(list, now) {
    var items = list.querySelectorAll("li[data-event-date]");
    var next = null;
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var start = parseDay(item.getAttribute("data-event-date"));
      var end = parseDay(item.getAttribute("data-event-end")) || start;
      if (!start) {
        continue;
      }
      if (end < now) {
        item.classList.add("past");
      } else if (!next || start < next.start) {
        next = { item: item, start: start, end: end };
      }
    }
    if (next) {
      next.item.classList.add("next-event");
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = next.start <= now ? "On now" : "Next up";
      var name = next.item.querySelector(".event-name") || next.item;
      name.appendChild(badge);
    }
    return next;
  }

  function run() {
    var now = today();
    var lists = document.querySelectorAll(".event-list");
    var first = null;
    for (var i = 0; i < lists.length; i++) {
      var next = markList(lists[i], now);
      if (next && (!first || next.start < first.start)) {
        first = next;
      }
    }
    var countdown = document.getElementById("countdown");
    if (!countdown) {
      return;
    }
    if (!first) {
      countdown.textContent = "The season is over. See you at the opener!";
      return;
    }
    var name = first.item.getAttribute("data-event-name") || "The next event";
    var days = daysBetween(now, first.start);
    countdown.textContent = first.start <= now
      ? name + " is on right now. Gates open at 8:00."
      : name + " is " + describe(days) + ".";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
}());
