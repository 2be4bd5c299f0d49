// Lantern's small behaviours. No inline script anywhere: the Content-Security-Policy forbids it.
document.addEventListener("DOMContentLoaded", () => {
  // Service switcher: choosing a service submits the form (the button stays for keyboard users).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
});
