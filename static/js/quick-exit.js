// Quick exit: the "Quick exit" button in the header, or Escape pressed twice within a second,
// takes everything off the screen at once, locks the session (accounts/lock.py) and leaves a
// neutral page in place of this one in the tab's history. Every other open tab of Lantern
// blanks itself too. No inline script: the Content-Security-Policy forbids it.
(() => {
  const form = document.querySelector("form[data-quick-exit]");
  if (!form) {
    return;
  }
  const DOUBLE_PRESS_MS = 1000;
  // The neutral page is loaded after the lock's answer, or after this long without one: the
  // screen is blank already, and a busy server must not keep the tab on this page's address.
  const LOCK_WAIT_MS = 1500;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("lantern-quick-exit") : null;
  let leaving = false;

  function blank() {
    // Removing the nodes is immediate; waiting for the next page would leave this one on screen.
    document.title = "New tab";
    document.body.replaceChildren();
  }

  function leave({ lock }) {
    if (leaving) {
      return;
    }
    leaving = true;
    blank();
    let gone = false;
    const neutral = () => {
      if (!gone) {
        gone = true;
        window.location.replace(form.action);
      }
    };
    if (!lock) {
      neutral();
      return;
    }
    try {
      if (channel) {
        channel.postMessage("exit");
      }
      // keepalive: the lock is sent even if the page goes away first.
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        keepalive: true,
        redirect: "manual",
      }).then(neutral, neutral);
    } catch (error) {
      // Whatever failed, the screen is blank and the neutral page comes next.
      neutral();
      return;
    }
    window.setTimeout(neutral, LOCK_WAIT_MS);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    leave({ lock: true });
  });

  let lastEscape = 0;
  let escapeDown = false; // this press's keydown was seen (its keyup has not come yet)

  function escapePressed(event) {
    const now = Date.now();
    if (now - lastEscape <= DOUBLE_PRESS_MS) {
      event.preventDefault();
      leave({ lock: true });
    }
    lastEscape = now;
  }

  // Capture: a widget that stops Escape (a dropdown, a dialog) cannot swallow the shortcut.
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Escape") {
        escapeDown = true;
        escapePressed(event);
      }
    },
    { capture: true },
  );
  // A select's open list takes the keydown of the Escape that closes it, and the page sees its
  // keyup only: counted as the first press, so Escape twice leaves from an open list too.
  document.addEventListener(
    "keyup",
    (event) => {
      if (event.key === "Escape") {
        if (!escapeDown) {
          escapePressed(event);
        }
        escapeDown = false;
      }
    },
    { capture: true },
  );

  if (channel) {
    // Another tab has locked the session already: only this tab's screen is left to clear.
    channel.addEventListener("message", () => leave({ lock: false }));
  }
})();
