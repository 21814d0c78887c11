// Commit the previewed files one request per file, so the progress bar moves as each issue is
// written; without JavaScript the form posts every file at once and the page shows the results.
// Many files (data-background) are posted at once to a background job, whose page has the bar.
document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("commit-form");
  if (!form || form.dataset.background === "1") return;
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const button = document.getElementById("commit-button");
    const bar = document.getElementById("import-progress");
    const text = document.getElementById("import-progress-text");
    const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const tokens = Array.from(form.querySelectorAll("input[name=token]")).map((i) => i.value);
    button.disabled = true;
    let done = 0;
    for (const token of tokens) {
      const body = new FormData();
      body.append("csrfmiddlewaretoken", csrf);
      body.append("token", token);
      body.append("one", "1");
      const row = document.querySelector('tr[data-token="' + token + '"]');
      try {
        const response = await fetch(form.action, { method: "POST", body: body, credentials: "same-origin" });
        const report = await response.json();
        row.querySelector(".import-status").textContent = report.status_label;
        row.className = "import-row status-" + report.status;
        if (report.errors && report.errors.length) {
          const note = document.createElement("div");
          note.className = "errornote";
          note.textContent = report.errors.join("；");
          row.lastElementChild.prepend(note);
        }
      } catch (error) {
        row.querySelector(".import-status").textContent = "✗";
      }
      done += 1;
      bar.value = done;
      text.textContent = done + " / " + tokens.length;
    }
    form.dataset.finished = "1";
  });
});
