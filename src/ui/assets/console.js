// The analyst console's only script (progressive: every page works without it).
// - Shows each <time datetime> in the analyst's time zone; UTC stays on hover.
// - Keyboard: in the queue, j / k move between alerts and Enter opens one;
//   on an alert, n opens the next open alert, d goes to the decision
//   (arrow keys choose, Tab to the reason), and Ctrl+Enter (Cmd+Enter)
//   records it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d.getTime())) { t.textContent = fmt.format(d); }
  });
  var typing = function (e) {
    var tag = (e.target && e.target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || e.ctrlKey || e.metaKey || e.altKey;
  };
  var links = Array.prototype.slice.call(document.querySelectorAll("#queue a.row-link"));
  var at = -1;
  var move = function (to) {
    if (!links.length) { return; }
    at = Math.max(0, Math.min(links.length - 1, to));
    links.forEach(function (l, i) { l.closest("tr").classList.toggle("current", i === at); });
    links[at].focus();
  };
  var decide = document.getElementById("decide");
  document.addEventListener("keydown", function (e) {
    if (decide && e.key === "Enter" && (e.ctrlKey || e.metaKey) && decide.contains(e.target)) {
      e.preventDefault();
      if (decide.reportValidity()) { decide.requestSubmit(); }
      return;
    }
    if (typing(e)) { return; }
    if (links.length && (e.key === "j" || e.key === "ArrowDown")) { move(at + 1); e.preventDefault(); }
    else if (links.length && (e.key === "k" || e.key === "ArrowUp")) { move(at - 1); e.preventDefault(); }
    else if (e.key === "n") { var n = document.getElementById("next-alert"); if (n) { n.click(); } }
    else if (e.key === "d" && decide) {
      var f = decide.querySelector("input[name=decision]:checked") || decide.querySelector("input[name=decision]");
      if (f) { f.focus(); e.preventDefault(); }
    }
  });
});
