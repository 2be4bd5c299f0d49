// Safety plans and support forms. No inline script: the Content-Security-Policy forbids it.
document.addEventListener("DOMContentLoaded", () => {
  // The client's copy: a Print button for the browser's print dialog.
  document.querySelectorAll("[data-print-page]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });

  // Support by area: outcomes and impact apply only where support was given, so they are
  // hidden (not removed: the server checks the same rule) unless "Yes" is chosen.
  document.querySelectorAll("form[data-support-form]").forEach((form) => {
    const supported = form.querySelector("select[name=supported]");
    if (!supported) return;
    const dependent = ["outcomes", "impact_safety", "impact_wellbeing", "cyps_involvement", "cyps_involvement_dont_know"]
      .map((name) => form.querySelector(`#div_id_${name}`))
      .filter(Boolean);
    const update = () => {
      dependent.forEach((block) => { block.hidden = supported.value !== "Yes"; });
    };
    supported.addEventListener("change", update);
    update();
  });
});
