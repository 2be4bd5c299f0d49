// A form that comes back with errors puts the focus on its first invalid field, so a screen
// reader announces the field, its label and (through aria-describedby) the error at once, and a
// keyboard user starts where the fix is needed. An error of the whole form (a DASH checklist
// with questions left, a transfer refused) marks no field: the focus goes to its message then,
// which is read out, rather than staying at the top of the page. No inline script: the CSP
// forbids it.
document.addEventListener("DOMContentLoaded", () => {
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
