// Follows a running job: polls its status every second, moves the bar, and reloads the page
// when the job ends, so the page turns into the job's result page.
(function () {
  "use strict";
  function follow(root) {
    var url = root.getAttribute("data-status-url");
    var bar = document.getElementById("job-progress");
    var percent = document.getElementById("job-percent");
    var status = document.getElementById("job-status");
    var message = document.getElementById("job-message");
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          bar.value = data.percent;
          percent.textContent = data.percent + "%";
          status.textContent = data.status_display;
          message.textContent = data.message;
          if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector(".zhiku-job[data-status-url]");
    if (root && root.getAttribute("data-finished") === "0") { follow(root); }
  });
})();
