// Follows a prepared download: asks for its progress every second, moves the bar, and
// shows the link when the file is ready. Without this script the page reloads itself.
(function () {
  var box = document.querySelector("[data-status-url]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-testid=export-status]");
  var link = box.querySelector("[data-testid=export-download]");
  var reload = box.querySelector("[data-testid=export-reload]");
  function update() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        bar.value = state.percent;
        bar.textContent = state.percent + " %";
        status.textContent = state.label;
        box.dataset.status = state.status;
        if (state.status === "done") {
          link.hidden = false;
          if (reload) reload.hidden = true;
        } else if (state.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(update, 1000);
        }
      })
      .catch(function () { window.setTimeout(update, 3000); });
  }
  if (box.dataset.status !== "done" && box.dataset.status !== "failed") update();
})();
