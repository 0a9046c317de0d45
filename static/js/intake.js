// Circular intake: while a letter is read, show its progress page by page and open the review
// when it is done; on the review page, light up a field's span in the source when it is focused.
(function () {
  "use strict";
  var box = document.getElementById("intake-progress");
  if (box) {
    var bar = box.querySelector("progress");
    var label = box.querySelector(".pages");
    var poll = function () {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          if (p.pages_total) {
            bar.max = p.pages_total;
            bar.value = p.pages_done;
            label.textContent = label.dataset.template
              .replace("{done}", p.pages_done)
              .replace("{total}", p.pages_total);
          }
          if (p.status !== box.dataset.reading) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  }
  document.querySelectorAll(".intake .field[data-anchor]").forEach(function (field) {
    var mark = document.getElementById(field.dataset.anchor);
    if (!mark) { return; }
    field.addEventListener("focusin", function () {
      mark.classList.add("lit");
      mark.scrollIntoView({ block: "nearest" });
    });
    field.addEventListener("focusout", function () { mark.classList.remove("lit"); });
  });
})();
