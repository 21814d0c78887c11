/* Tag suggestions under each saved article of the issue page (clusters/_article_suggestions.html). */
(function () {
  // Labels and the address come from data attributes: the site's CSP allows no inline script.
  const config = document.getElementById("zhiku-suggestions-config");
  if (!config) return;
  const labels = {
    heading: config.dataset.heading,
    accept: config.dataset.accept,
    none: config.dataset.none,
    tagged: config.dataset.tagged,
    mentions: config.dataset.mentions,
  };
  const base = config.dataset.url.replace(/0\/$/, "");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  document.querySelectorAll("input[type=hidden][name^='articles-'][name$='-id']").forEach(function (idInput) {
    const pk = idInput.value;
    if (!/^\d+$/.test(pk)) return;
    const box = document.createElement("div");
    box.className = "zhiku-inline-suggestions help";
    box.style.margin = ".5em 0 1em";
    const row = idInput.closest(".inline-related") || idInput.parentElement;
    row.appendChild(box);
    fetch(base + pk + "/", {credentials: "same-origin"}).then(r => r.json()).then(function (data) {
      box.textContent = "";
      const head = document.createElement("strong");
      head.textContent = labels.heading + "：";
      box.appendChild(head);
      if (data.tags.length) {
        const tagged = document.createElement("span");
        tagged.textContent = " " + labels.tagged + "：" + data.tags.join("、") + "。";
        box.appendChild(tagged);
      }
      if (!data.suggestions.length) { box.appendChild(document.createTextNode(" " + labels.none)); return; }
      data.suggestions.forEach(function (s) {
        const label = document.createElement("label");
        label.style.marginRight = "1em";
        const tick = document.createElement("input");
        tick.type = "checkbox"; tick.value = s.id; tick.disabled = !data.may_tag;
        label.appendChild(tick);
        label.appendChild(document.createTextNode(" " + s.name + "（" + s.mentions + " " + labels.mentions + "）"));
        box.appendChild(label);
      });
      if (!data.may_tag) return;
      const button = document.createElement("button");
      button.type = "button"; button.className = "button zhiku-accept-suggestions"; button.textContent = labels.accept;
      button.addEventListener("click", function () {
        const body = new URLSearchParams();
        box.querySelectorAll("input[type=checkbox]:checked").forEach(t => body.append("cluster", t.value));
        fetch(base + pk + "/accept/", {method: "POST", credentials: "same-origin", body: body,
          headers: {"X-CSRFToken": csrf ? csrf.value : ""}})
          .then(r => r.json()).then(function (result) {
            box.appendChild(document.createTextNode(" " + (result.error || labels.tagged + "：" + result.accepted.join("、"))));
          });
      });
      box.appendChild(button);
    });
  });
})();
