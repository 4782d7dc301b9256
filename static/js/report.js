// The upward report: a Print button for browsers with JavaScript (the page says how to
// print without it). Loaded as a file so that the Content-Security-Policy needs no inline script.
document.querySelectorAll("[data-report-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
