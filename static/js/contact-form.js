// The contact form's safe-contact warning: shown as soon as the chosen type and outcome of a
// contact with the client go by a way the client marked unsafe. The table of warnings comes from
// the server (cases.services.contact_channel_warning_table): no rule is written here, and the
// service refuses such a contact without the confirmation whatever this script does.
(() => {
  const setUp = (form) => {
    const data = document.getElementById("channel-warnings");
    const box = form.querySelector("[data-unsafe-channel]");
    if (!data || !box) return;
    const table = JSON.parse(data.textContent);
    const text = box.querySelector("[data-unsafe-channel-warning]");
    const type = form.querySelector("[name=contact_type]");
    const outcome = form.querySelector("[name=outcome]");
    const withClient = form.querySelector("[name=with_client]");
    const update = () => {
      const warning = withClient && withClient.checked ? table[`${type.value}:${outcome.value}`] : "";
      if (box.hasAttribute("data-server-warned")) return; // the server's message is on screen
      if (warning) {
        text.textContent = warning;
        box.hidden = false;
      } else {
        box.hidden = !box.querySelector("[name=unsafe_channel_confirmed]").checked;
        text.textContent = "";
      }
    };
    [type, outcome, withClient].forEach((field) => field && field.addEventListener("change", update));
    update();
  };
  document.querySelectorAll("form.contact-form").forEach(setUp);
})();
