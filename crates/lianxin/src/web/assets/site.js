// Small progressive enhancements only; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen-reader and keyboard users hear the problems first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // Copy buttons (tracking codes, API tokens).
  document.querySelectorAll("[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var t = document.getElementById(b.getAttribute("data-copy"));
      if (t && navigator.clipboard) { navigator.clipboard.writeText(t.textContent.trim()); }
    });
  });
});
// The meeting board (/board/…): server-sent events replace the figures without a reload.
document.addEventListener("DOMContentLoaded", function () {
  var board = document.querySelector("[data-board]");
  if (!board || !window.EventSource) { return; }
  var source = new EventSource(board.getAttribute("data-board"));
  source.onmessage = function (e) {
    var d = JSON.parse(e.data);
    Object.keys(d).forEach(function (k) {
      var el = document.getElementById("b-" + k);
      if (el) { el.textContent = d[k]; }
    });
    board.setAttribute("data-state", d.state || "");
  };
});
