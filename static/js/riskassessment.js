// The running tick count (or weighted score) on a risk checklist form. Loaded with defer from
// the form's template: no inline script (the Content-Security-Policy forbids it). The server
// recounts on submit; this is only a guide while the form is filled in.
(() => {
  const setUp = (form) => {
    const weighted = form.dataset.scoring === "weighted";
    const count = form.querySelector("[data-running-count] [data-count]");
    const answered = form.querySelector("[data-running-count] [data-answered]");
    if (!count) return;
    const update = () => {
      let total = 0;
      let done = 0;
      form.querySelectorAll("[data-question]").forEach((group) => {
        const chosen = group.querySelector("input[type=radio]:checked");
        if (!chosen) return;
        done += 1;
        total += weighted ? Number(chosen.dataset.score || 0) : Number(chosen.dataset.tick || 0);
      });
      count.textContent = String(total);
      if (answered) answered.textContent = String(done);
    };
    form.addEventListener("change", (event) => {
      if (event.target.matches("input[type=radio]")) update();
    });
    update();
  };
  const start = () => document.querySelectorAll("form[data-risk-form]").forEach(setUp);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
