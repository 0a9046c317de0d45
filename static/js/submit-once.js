// A double click sends a form once; the server refuses a second open request anyway.
// Loaded as a file (no inline script: the Content-Security-Policy allows none).
document.querySelectorAll("form").forEach(function (f) {
  f.addEventListener("submit", function (e) {
    if (f.dataset.sent) { e.preventDefault(); return; }
    f.dataset.sent = "1";
  });
});
