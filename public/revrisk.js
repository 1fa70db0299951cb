// RevRisk Copilot in the browser (loaded by Chainlit as `custom_js`).
//
// 1. Nothing typed is dropped. Until the server has started this chat (its settings panel,
//    sent by on_chat_start, is on the page and has stayed for 300 ms), Enter, the send button
//    and the starters are held, not sent: Chainlit 2.12 lets a message through in the first
//    second after the page appears and then loses it with the socket it replaces (issue 12).
//    A held message is sent as soon as the chat is ready; the composer is dimmed meanwhile.
//    Files are held the same way: one attached (picked, dropped or pasted) before the server
//    has this chat's session fails "Session not found", so it is handed to the composer's file
//    input when the chat is ready.
// 2. The "synthetic demo data" badge: /revrisk/status says whether the warehouse is the
//    generated demo, and the badge stays in the header while it is.
(() => {
  const root = document.documentElement;
  root.classList.add("rr-wait");
  let ready = false;
  let pending = null; // "submit" or a starter's element id
  let heldFiles = []; // files attached before the chat was ready
  let seenSince = 0;

  const chatStarted = () => !!document.getElementById("chat-settings-open-modal");

  const release = () => {
    ready = true;
    root.classList.remove("rr-wait");
    const files = heldFiles;
    heldFiles = [];
    const input = document.getElementById("upload-button-input");
    if (files.length && input) {
      const transfer = new DataTransfer();
      files.forEach((file) => transfer.items.add(file));
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    const held = pending;
    pending = null;
    if (held === "submit") {
      const button = document.getElementById("chat-submit");
      if (button) button.click();
    } else if (held) {
      const starter = document.getElementById(held);
      if (starter) starter.click();
    }
  };

  const poll = setInterval(() => {
    if (!chatStarted()) {
      seenSince = 0;
      return;
    }
    seenSince = seenSince || Date.now();
    if (Date.now() - seenSince >= 300) {
      clearInterval(poll);
      release();
    }
  }, 50);

  const inComposer = (target) => {
    const input = document.getElementById("chat-input");
    return !!input && input.contains(target);
  };

  document.addEventListener(
    "keydown",
    (event) => {
      if (ready || event.key !== "Enter" || event.shiftKey || !inComposer(event.target)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      pending = "submit";
    },
    true,
  );

  document.addEventListener(
    "click",
    (event) => {
      if (ready || !(event.target instanceof Element)) return;
      const hit = event.target.closest("#chat-submit, [id^='starter-']");
      if (!hit) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      pending = hit.id === "chat-submit" ? "submit" : hit.id;
    },
    true,
  );

  const holdFiles = (event, files) => {
    if (ready || !files || !files.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    heldFiles = heldFiles.concat([...files]);
  };
  document.addEventListener(
    "change",
    (event) => {
      const target = event.target;
      if (target instanceof HTMLInputElement && target.type === "file") holdFiles(event, target.files);
    },
    true,
  );
  document.addEventListener("drop", (event) => holdFiles(event, event.dataTransfer?.files), true);
  document.addEventListener("paste", (event) => holdFiles(event, event.clipboardData?.files), true);

  // After a Stripe or revenue import this session answers from the user's own data (ui/copy.py
  // STRIPE_IMPORTED and REVENUE_IMPORTED say so): the demo badge goes and does not come back.
  // A demo warehouse with files imported into it (`revrisk import`) says so in the badge.
  const IMPORTED = ["answers come from your Stripe data", "answers come from your imported revenue"];
  let ownData = false;
  const badge = (status) => {
    if (ownData || !status || !status.demo || document.getElementById("rr-demo-badge")) return;
    const header = document.getElementById("header") || document.body;
    const tag = document.createElement("span");
    tag.id = "rr-demo-badge";
    tag.className = "rr-demo-badge";
    tag.textContent = status.imported && status.imported.length ? "Demo data + your imports" : "Synthetic demo data";
    tag.title = status.detail || "The warehouse is the generated demo, not your billing data.";
    header.appendChild(tag);
  };

  fetch("/revrisk/status", { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : null))
    .then((status) => {
      const place = () => {
        badge(status);
        if (!document.getElementById("rr-demo-badge") && status && status.demo) {
          setTimeout(place, 200);
        }
      };
      place();
      new MutationObserver((records) => {
        if (!ownData && records.some((r) => [...r.addedNodes].some((n) => IMPORTED.some((text) => (n.textContent || "").includes(text))))) {
          ownData = true;
          document.getElementById("rr-demo-badge")?.remove();
        }
        badge(status);
      }).observe(document.body, { childList: true, subtree: true });
    })
    .catch(() => {});
})();
