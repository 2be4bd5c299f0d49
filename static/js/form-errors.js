// A form that comes back with errors puts the focus on its first invalid field, so a screen
// reader announces the field, its label and (through aria-describedby) the error at once, and a
// keyboard user starts where the fix is needed. No inline script: the CSP forbids it.
document.addEventListener("DOMContentLoaded", () => {
  const invalid = document.querySelector("main [aria-invalid='true']");
  if (invalid && !document.querySelector("main [autofocus]")) {
    invalid.focus();
  }
});
