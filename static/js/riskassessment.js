// The risk checklist form: the running tick count (or weighted score), and keys for answering
// quickly. Loaded with defer from the form's template: no inline script (the Content-Security-
// Policy forbids it). The server recounts on submit; the count is only a guide while filling in.
(() => {
  const setUp = (form) => {
    const weighted = form.dataset.scoring === "weighted";
    const count = form.querySelector("[data-running-count] [data-count]");
    const answered = form.querySelector("[data-running-count] [data-answered]");
    const groups = Array.from(form.querySelectorAll("[data-question]"));
    if (!count) return;
    const update = () => {
      let total = 0;
      let done = 0;
      groups.forEach((group) => {
        const chosen = group.querySelector("input[type=radio]:checked");
        if (!chosen) return;
        done += 1;
        total += weighted ? Number(chosen.dataset.score || 0) : Number(chosen.dataset.tick || 0);
      });
      count.textContent = String(total);
      if (answered) answered.textContent = String(done);
    };
    // The next question is brought into view at once, not by the page's smooth scrolling:
    // while the page glided, the sticky bar's "Answer the rest" button moved under the pointer
    // and a press on it was lost (it worked only on the second press). scroll-margin-top in
    // lantern.css keeps the question clear of the sticky bar.
    const focusGroup = (group) => {
      if (!group) return;
      const target =
        group.querySelector("input[type=radio]:checked") ||
        group.querySelector("input[type=radio]");
      if (!target) return;
      target.focus({ preventScroll: true });
      group.scrollIntoView({ block: "nearest", behavior: "instant" });
    };
    form.addEventListener("change", (event) => {
      if (event.target.matches("input[type=radio]")) update();
    });
    // On an answer, the digit keys 1-9 choose that option (in the order shown) and move on to
    // the next question, so a whole checklist can be answered with one key per question. Only
    // radios listen: digits typed in the comment and detail boxes stay text.
    form.addEventListener("keydown", (event) => {
      const radio = event.target;
      if (!radio.matches("input[type=radio]") || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (!/^[1-9]$/.test(event.key)) return;
      const group = radio.closest("[data-question]");
      const option = group && group.querySelectorAll("input[type=radio]")[Number(event.key) - 1];
      if (!option) return;
      event.preventDefault();
      option.checked = true;
      option.dispatchEvent(new Event("change", { bubbles: true }));
      focusGroup(groups[groups.indexOf(group) + 1]);
    });
    // "Not asked" for every question still unanswered (e.g. a police referral that answered only
    // some questions): shown only when the checklist has that answer.
    const rest = form.querySelector("[data-rest-not-asked]");
    if (rest && form.querySelector("input[type=radio][data-key=not_asked]")) {
      rest.hidden = false;
      rest.addEventListener("click", () => {
        groups.forEach((group) => {
          if (group.querySelector("input[type=radio]:checked")) return;
          const notAsked = group.querySelector("input[type=radio][data-key=not_asked]");
          if (!notAsked) return;
          notAsked.checked = true;
          // As if chosen by hand: the running count and anything else listening see it.
          notAsked.dispatchEvent(new Event("change", { bubbles: true }));
        });
        update();
      });
    }
    update();
  };
  const start = () => document.querySelectorAll("form[data-risk-form]").forEach(setUp);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
