// Progressive enhancement of the export progress page: without scripts the page has a
// "check again" link; with them, the bar follows the job's state and the page reloads
// once the export is finished or failed.
"use strict";
(function () {
  const bar = document.getElementById("job-progress");
  const label = document.getElementById("job-phase");
  if (!bar || !bar.dataset.state) {
    return;
  }
  function poll() {
    fetch(bar.dataset.state, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (job) {
        bar.max = job.steps;
        bar.value = job.step;
        bar.textContent = job.step + " of " + job.steps;
        if (label) {
          label.textContent = job.phase + " (step " + job.step + " of " + job.steps + ")";
        }
        if (job.state === "running") {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        // the "check again" link still works; try again a little later
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
