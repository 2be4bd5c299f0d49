// Outcome forms: autosave of drafts, and the progress indicator. No inline script (CSP).
// A draft is posted to the form's autosave URL shortly after every change (once typing or
// clicking pauses for DEBOUNCE_MS), at once when the caseworker leaves a field, and when the
// page is hidden or left. Saves go one at a time, each carrying the edit state the last one
// handed back, so a tab's own saves never conflict and someone else's change is never
// overwritten. The server answers JSON and saves nothing when an answer is invalid; the status
// line ("Saved at 14:05", aria-live) says what happened.
(function () {
  "use strict";
  const DEBOUNCE_MS = 800;
  const RETRY_MS = 5000;

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
    let dirty = false; // changed since the last save was sent
    let inFlight = false; // a save is on its way: the next one waits for its edit state
    let conflicted = false;
    let submitting = false;
    let timer = null;
    let retry = true; // whether a save left dirty is sent again without a new change
    let offline = false; // the last save did not reach the server: try again more slowly

    function say(text) { if (status) status.textContent = text; }

    function schedule(delay) {
      if (!url || conflicted || submitting) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(save, delay || DEBOUNCE_MS);
    }

    function save(options) {
      window.clearTimeout(timer);
      timer = null;
      if (!url || !dirty || conflicted || submitting) return;
      // One save at a time, each checked against the state the previous one handed back: a
      // change made meanwhile stays dirty and is sent when this one has answered.
      if (inFlight) return;
      inFlight = true;
      dirty = false;
      retry = true; // a change made while this save is on its way is sent after it
      const body = new FormData(form);
      body.delete("submit");
      say("Saving…");
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        keepalive: Boolean(options && options.leaving),
        headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
      })
        .then((response) => response.json().then((data) => ({ ok: response.ok, data: data })))
        .then(({ ok, data }) => {
          if (ok && data.saved) {
            say("Saved at " + data.saved_at + ".");
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
            // An answer the server refuses: tried again at the next change, not in a loop.
            dirty = true;
            retry = false;
            say(data.error || "Not saved: check the answers marked on the form when you save.");
          }
        })
        .catch(() => {
          dirty = true;
          retry = true;
          offline = true;
          say("Not saved (no connection). It will be tried again.");
        })
        .finally(() => {
          inFlight = false;
          if (dirty && !conflicted && retry) schedule(offline ? RETRY_MS : DEBOUNCE_MS);
          offline = false;
        });
    }

    function changed() {
      dirty = true;
      retry = true;
      schedule();
    }

    updateFollowOns(form);
    form.addEventListener("change", () => {
      updateFollowOns(form);
      if (progress) {
        const answered = answeredCount(form);
        if (answered <= Number(progress.max)) {
          progress.value = answered;
          if (progressText) progressText.textContent = answered + " of " + progress.max;
        }
      }
      changed();
    });
    form.addEventListener("input", changed);
    // Leaving a field, or the page (another tab, the phone's lock screen), saves at once. A
    // draft the server refused waits for the next change: sent again on every focusout, each
    // Tab press posted it, was refused and announced the refusal once more.
    form.addEventListener("focusout", () => { if (dirty && retry) save(); });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && dirty) save({ leaving: true });
    });
    window.addEventListener("pagehide", () => { if (dirty) save({ leaving: true }); });
    // A real submit saves through the page (the draft first): no autosave racing it.
    form.addEventListener("submit", () => {
      submitting = true;
      window.clearTimeout(timer);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form.outcome-form").forEach(init);
  });
})();
