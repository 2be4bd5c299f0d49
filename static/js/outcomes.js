// Outcome forms: autosave of drafts, and the progress indicator. No inline script (CSP).
// A draft is posted to the form's autosave URL every 20 seconds when something changed, and
// whenever the caseworker moves into another section. The server answers JSON and saves
// nothing when an answer is invalid; the status line says what happened.
(function () {
  "use strict";
  const INTERVAL_MS = 20000;

  function answeredCount(form) {
    let answered = 0;
    form.querySelectorAll("fieldset[id^='section-']").forEach((fieldset) => {
      const groups = new Map();
      fieldset.querySelectorAll("input, select, textarea").forEach((input) => {
        if (!input.name || input.type === "hidden" || input.name.endsWith("_dont_know")) return;
        const filled =
          input.type === "radio" || input.type === "checkbox" ? input.checked && input.value !== "" : input.value !== "";
        groups.set(input.name, groups.get(input.name) || filled);
      });
      fieldset.querySelectorAll("input[name$='_dont_know']").forEach((input) => {
        const base = input.name.replace(/_dont_know$/, "");
        if (input.checked) groups.set(base, true);
      });
      groups.forEach((filled) => { if (filled) answered += 1; });
    });
    return answered;
  }

  // Follow-on questions (e.g. the details of physical abuse) show only when they apply. The
  // wrapper gets the `hidden` attribute (no inline style: the CSP forbids it).
  function currentValues(form, name) {
    const values = [];
    form.querySelectorAll("[name='" + name + "']").forEach((input) => {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value);
      } else if (input.value !== "") {
        values.push(input.value);
      }
    });
    return values;
  }

  function updateFollowOns(form) {
    const seen = new Set();
    form.querySelectorAll("[data-applies-field]").forEach((input) => {
      if (seen.has(input.name)) return;
      seen.add(input.name);
      const accepted = JSON.parse(input.dataset.appliesValues);
      const parentValues = currentValues(form, input.dataset.appliesField);
      const parentShown = !isHidden(form, input.dataset.appliesField);
      const applies = parentShown && parentValues.some((value) => accepted.includes(value));
      const wrapper = document.getElementById("div_id_" + input.name);
      if (wrapper) wrapper.hidden = !applies;
    });
  }

  function isHidden(form, name) {
    const wrapper = document.getElementById("div_id_" + name);
    return Boolean(wrapper && wrapper.hidden);
  }

  function init(form) {
    const url = form.dataset.autosaveUrl;
    const status = document.querySelector("[data-autosave-status]");
    const progress = document.querySelector("[data-progress]");
    const progressText = document.querySelector("[data-progress-text]");
    let dirty = false;
    let saving = false;
    let conflicted = false;
    let currentSection = null;

    function say(text) { if (status) status.textContent = text; }

    function save() {
      if (!url || !dirty || saving || conflicted) return;
      saving = true;
      dirty = false;
      const body = new FormData(form);
      body.delete("submit");
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
      })
        .then((response) => response.json().then((data) => ({ ok: response.ok, data: data })))
        .then(({ ok, data }) => {
          if (ok && data.saved) {
            say("Draft saved at " + data.saved_at + ".");
            // The next save is checked against this one, not against the page as loaded.
            const state = form.querySelector("input[name='edit_state']");
            if (state && data.edit_state) state.value = data.edit_state;
            if (progress && typeof data.asked === "number") {
              progress.max = data.asked;
              progress.value = data.answered;
              if (progressText) progressText.textContent = data.answered + " of " + data.asked;
            }
          } else if (data.conflict) {
            // Someone else saved this form: stop autosaving; saving by hand shows what changed.
            conflicted = true;
            say(data.error + " Save the draft to see the changes.");
          } else {
            dirty = true;
            say(data.error || "Draft not saved: check the answers marked on the form when you save.");
          }
        })
        .catch(() => { dirty = true; say("Draft not saved (no connection). It will be tried again."); })
        .finally(() => { saving = false; });
    }

    updateFollowOns(form);
    form.addEventListener("change", () => {
      dirty = true;
      updateFollowOns(form);
      if (progress) {
        const answered = answeredCount(form);
        if (answered <= Number(progress.max)) {
          progress.value = answered;
          if (progressText) progressText.textContent = answered + " of " + progress.max;
        }
      }
    });
    form.addEventListener("input", () => { dirty = true; });
    form.addEventListener("focusin", (event) => {
      const section = event.target.closest("fieldset[id^='section-']");
      if (section && section !== currentSection) {
        if (currentSection !== null) save();
        currentSection = section;
      }
    });
    if (url) window.setInterval(save, INTERVAL_MS);
    // A real submit saves through the page: no autosave racing it.
    form.addEventListener("submit", () => { dirty = false; });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form.outcome-form").forEach(init);
  });
})();
