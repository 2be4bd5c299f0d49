// A form that comes back with errors puts the focus on its first invalid field, so a screen
// reader announces the field, its label and (through aria-describedby) the error at once, and a
// keyboard user starts where the fix is needed. When several fields fail, the error summary at
// the top of the form (templates/includes/error_summary.html) takes the focus instead: it says
// how many problems there are, and each of its links moves the focus to its field. An error of
// the whole form (a DASH checklist with questions left, a transfer refused) marks no field: the
// focus goes to its message then, which is read out, rather than staying at the top of the page.
// No inline script: the CSP forbids it.

function captionOf(field) {
  // A group of radios or checkboxes is named by its legend; any other field by its label.
  const group = field.form?.elements.namedItem(field.name);
  if (group instanceof RadioNodeList) {
    const legend = field.closest("fieldset")?.querySelector(":scope > legend");
    if (legend) {
      return legend;
    }
  }
  return field.labels?.[0] ?? null;
}

// A link's own behaviour only scrolls to the field (and may leave its label above the screen's
// top edge): the label comes into view and the field takes the focus.
function focusErrorTarget(event) {
  const link = event.target.closest("a[href^='#']");
  if (!link) {
    return;
  }
  const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!field || field.disabled || !field.getClientRects().length) {
    return;
  }
  event.preventDefault();
  (captionOf(field) ?? field).scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const summary of document.querySelectorAll("main [data-error-summary]")) {
    summary.addEventListener("click", focusErrorTarget);
  }
  // Before a field the page itself focuses (autofocus): the problems come first.
  const summary = document.querySelector("main [data-error-summary]");
  if (summary) {
    summary.focus();
    return;
  }
  if (document.querySelector("main [autofocus]")) {
    return;
  }
  const invalid = document.querySelector("main [aria-invalid='true']");
  if (invalid) {
    invalid.focus();
    return;
  }
  const formError = document.querySelector("main form .alert-danger");
  if (formError) {
    formError.tabIndex = -1;
    formError.focus();
  }
});
