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
