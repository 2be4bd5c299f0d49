// Lantern's small behaviours. No inline script anywhere: the Content-Security-Policy forbids it.
document.addEventListener("DOMContentLoaded", () => {
  // Service switcher: choosing a service submits the form (the button stays for keyboard users).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  // A table wider than the screen (a phone) scrolls sideways in its .table-responsive box. Its
  // links are in the first column, so the keyboard alone never brought the columns out of view
  // on screen: while the table overflows, the box takes the focus (the arrow keys scroll it),
  // named by the table's caption.
  const scrollers = document.querySelectorAll(".table-responsive");
  const letKeyboardScroll = () => {
    scrollers.forEach((box) => {
      const caption = box.querySelector("caption");
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        if (caption) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  };
  letKeyboardScroll();
  window.addEventListener("resize", letKeyboardScroll);
});
