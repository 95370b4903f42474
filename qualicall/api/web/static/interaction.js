// The interaction page: evidence highlighting, the override dialog (the audio/transcript sync: transcript.js).
// Plain JavaScript, no build step: the page works from the server-rendered HTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("call-data").textContent);
  const player = document.getElementById("player");
  const transcript = document.getElementById("transcript");
  const seek = window.qualicallTranscript.seek;  // transcript.js: the player and the turn being spoken

  function clearMarks() {
    transcript.querySelectorAll("mark.evidence").forEach((mark) => {
      const parent = mark.parentNode;
      parent.replaceChild(document.createTextNode(mark.textContent), mark);
      parent.normalize();
    });
  }

  // Wrap [start, end) of a turn's text in <mark>; spans of one item are applied from last to first.
  function markSpan(turnIndex, start, end, key) {
    const li = document.getElementById("turn-" + turnIndex);
    if (!li) return null;
    const text = li.querySelector(".text");
    const node = text.firstChild;
    if (!node || node.nodeType !== Node.TEXT_NODE) return null;
    const length = node.textContent.length;
    const from = Math.max(0, Math.min(start, length)), to = Math.max(from, Math.min(end, length));
    if (to <= from) return li;
    const range = document.createRange();
    range.setStart(node, from);
    range.setEnd(node, to);
    const mark = document.createElement("mark");
    mark.className = "evidence";
    mark.dataset.item = key;
    range.surroundContents(mark);
    return li;
  }

  function showItem(key) {
    const item = data.items[key];
    if (!item) return;
    clearMarks();
    document.querySelectorAll("tr.item.selected").forEach((tr) => tr.classList.remove("selected"));
    document.querySelectorAll(".item-button[aria-pressed=true]").forEach((b) => b.setAttribute("aria-pressed", "false"));
    const row = document.getElementById("item-" + key);
    if (row) {
      row.classList.add("selected");
      row.querySelector(".item-button").setAttribute("aria-pressed", "true");
      row.scrollIntoView({ block: "nearest" });
    }
    const spans = item.evidence.slice().sort((a, b) => (b.turn - a.turn) || (b.start_char - a.start_char));
    let first = null;
    spans.forEach((span) => { first = markSpan(span.turn, span.start_char, span.end_char, key) || first; });
    if (first) first.scrollIntoView({ block: "center" });
    if (item.time !== null) seek(item.time);
  }

  // The customer's sentiment curve: a point seeks to its turn; a signal shows its evidence like an item.
  document.querySelectorAll(".sentiment circle[data-turn]").forEach((point) => {
    point.addEventListener("click", () => {
      const li = document.getElementById("turn-" + point.dataset.turn);
      if (li) li.scrollIntoView({ block: "center" });
      if (point.dataset.time !== undefined) seek(parseFloat(point.dataset.time));
    });
  });

  document.querySelectorAll("[data-item].item-button, .failed-summary [data-item], .signals [data-item]").forEach((button) => {
    button.addEventListener("click", () => {
      showItem(button.dataset.item);
      if (button.closest(".failed-summary")) {
        const row = document.getElementById("item-" + button.dataset.item);
        if (row) row.querySelector(".item-button").focus();
      }
    });
  });

  // Override dialog: one dialog, filled with the item that was chosen (coaches only: an agent's page has none).
  const dialog = document.getElementById("override-dialog");
  const openOverride = dialog ? setUpOverrides() : () => {};

  function setUpOverrides() {
    const form = dialog.querySelector("form");
    const title = document.getElementById("override-title");
    const comment = document.getElementById("override-comment");
    const formError = document.getElementById("override-error");
    const DRAFT = "qualicall.override-draft";

    function openOverride(key, status, text, message) {
      const button = document.querySelector(`.override-button[data-item="${CSS.escape(key)}"]`);
      if (!button || !data.items[key]) return;
      document.getElementById("override-item").value = key;
      document.getElementById("override-auto").textContent = data.items[key].auto_label;
      title.textContent = title.dataset.template.replace("{item}", button.dataset.label);
      dialog.querySelectorAll("input[name=status]").forEach((radio) => { radio.checked = radio.value === (status || button.dataset.status); });
      comment.value = text || "";
      comment.removeAttribute("aria-invalid");
      formError.textContent = message || "";
      formError.hidden = !message;
      if (dialog.open) dialog.close();
      dialog.showModal();
      comment.focus();
    }

    function forgetDraft() { sessionStorage.removeItem(DRAFT); }

    document.querySelectorAll(".override-button").forEach((button) => {
      button.addEventListener("click", () => openOverride(button.dataset.item));
    });
    document.getElementById("override-cancel").addEventListener("click", () => { forgetDraft(); dialog.close(); });
    form.addEventListener("submit", (event) => {
      const chosen = dialog.querySelector("input[name=status]:checked");
      const key = document.getElementById("override-item").value;
      if (chosen && chosen.value !== data.items[key].auto && !comment.value.trim()) {
        event.preventDefault();
        comment.setAttribute("aria-invalid", "true");
        // Said in words, tied to the field (aria-describedby) and announced (role=alert): not a red outline alone.
        formError.textContent = document.getElementById("comment-required-text").textContent;
        formError.hidden = false;
        comment.focus();
        return;
      }
      // Kept in this tab until the override is saved: if the session has ended, the sign-in page brings the
      // coach back here and the dialog opens again with it.
      sessionStorage.setItem(DRAFT, JSON.stringify({ id: data.id, item: key, status: chosen ? chosen.value : "", comment: comment.value }));
    });

    const draft = JSON.parse(sessionStorage.getItem(DRAFT) || "null");
    if (data.saved) {
      if (draft && draft.id === data.id) forgetDraft();
    } else if (data.form) {
      // The server refused the override: the page came back with what was typed and why.
      openOverride(data.form.item, data.form.status, data.form.comment, data.form.error);
    } else if (draft && draft.id === data.id && data.items[draft.item]) {
      openOverride(draft.item, draft.status, draft.comment, document.getElementById("draft-restored-text").textContent);
    }
    return openOverride;
  }

  // The dispute and resolution forms, kept in this tab when sent as the override is: if the session had ended, the
  // sign-in page brings the user back here and the form is filled again, with a note that it is not saved yet.
  (function keepAnswers() {
    const KEY = "qualicall.answer." + data.id;
    const forms = Array.from(document.querySelectorAll("form.dispute-form, form.resolve"));
    const done = new URLSearchParams(window.location.search).get("done");
    if (done === "disputed" || done === "resolved") sessionStorage.removeItem(KEY);
    forms.forEach((form) => form.addEventListener("submit", (event) => {
      const fields = {};
      new FormData(form).forEach((value, name) => { if (name !== "csrf") fields[name] = String(value); });
      if (event.submitter && event.submitter.name) fields[event.submitter.name] = event.submitter.value;
      sessionStorage.setItem(KEY, JSON.stringify({ action: form.getAttribute("action"), fields }));
    }));
    const draft = JSON.parse(sessionStorage.getItem(KEY) || "null");
    const form = draft && forms.find((f) => f.getAttribute("action") === draft.action);
    const comment = form && form.querySelector("textarea[name=comment]");
    if (form && form.querySelector(".error")) sessionStorage.removeItem(KEY);  // refused by the server, which says why
    if (!comment || comment.value.trim() || form.querySelector(".error")) return;
    Object.entries(draft.fields).forEach(([name, value]) => {
      form.querySelectorAll("[name='" + name + "']").forEach((field) => {
        if (field.type === "radio") field.checked = field.value === value;
        else if (field.tagName !== "BUTTON") field.value = value;
      });
    });
    const note = document.createElement("p");
    note.className = "error";
    note.setAttribute("role", "alert");
    note.textContent = document.getElementById("answer-restored-text").textContent;
    form.prepend(note);
    comment.focus();
  })();

  // Opened from a link to one item (…?item=greeting.salutation): show it at once.
  const wanted = new URLSearchParams(window.location.search).get("item");
  if (wanted && data.items[wanted]) showItem(wanted);
  if (data.saved && data.items[data.saved]) {
    // Back on the item just corrected (not at the top of the page), and the confirmation said again once the page is
    // there: a live region filled before it loads is not announced.
    const corrected = document.querySelector(`tr[id="item-${CSS.escape(data.saved)}"] .item-button`);
    if (corrected) corrected.focus();
    const flash = document.querySelector(".flash[role=status]");
    if (flash) { const said = flash.textContent; flash.textContent = ""; setTimeout(() => { flash.textContent = said; }, 300); }
  }

  // The next call: the one after this in the queue page the coach came from (queue.js keeps its order).
  const queue = JSON.parse(sessionStorage.getItem("qualicall.queue") || "null");
  const nextLink = document.getElementById("next-call");
  if (queue && queue.ids.includes(data.id)) {
    const following = queue.ids[queue.ids.indexOf(data.id) + 1];
    const target = following !== undefined ? "/calls/" + encodeURIComponent(following) : queue.next;
    if (target) { nextLink.href = target; nextLink.hidden = false; }
    document.getElementById("back-to-queue").href = queue.url;
  }

  // Keyboard: space play/pause, j/k next/previous item, o override, n next call, < > speed, ? help.
  const help = document.getElementById("shortcuts-dialog");
  const keys = Array.from(document.querySelectorAll("tr.item")).map((row) => row.dataset.item);  // the scorecard's order
  let selected = wanted && data.items[wanted] ? wanted : null;
  document.getElementById("shortcuts-button").addEventListener("click", () => help.showModal());
  document.querySelectorAll(".item-button").forEach((button) => button.addEventListener("click", () => { selected = button.dataset.item; }));

  // The waveform: an evidence tick shows its item (and plays from it); a click elsewhere seeks there; the
  // cursor follows playback.
  const waveform = document.getElementById("waveform");
  if (waveform && player) {
    const seconds = parseFloat(waveform.dataset.seconds);
    const cursor = document.getElementById("waveform-cursor");
    const width = waveform.viewBox.baseVal.width;
    document.querySelectorAll(".waveform .tick").forEach((tick) => tick.addEventListener("click", () => {
      selected = tick.dataset.item;
      showItem(tick.dataset.item);
    }));
    waveform.addEventListener("click", (event) => {
      const box = waveform.getBoundingClientRect();
      seek(Math.max(0, Math.min(1, (event.clientX - box.left) / box.width)) * seconds);
    });
    const follow = () => {
      const x = Math.min(player.currentTime / seconds, 1) * width;
      cursor.setAttribute("x1", x);
      cursor.setAttribute("x2", x);
    };
    const animate = () => { follow(); if (!player.paused) requestAnimationFrame(animate); };
    player.addEventListener("play", animate);
    player.addEventListener("timeupdate", follow);
    player.addEventListener("seeked", follow);
  }

  // Playback speed: the choice is kept in this browser from one call to the next.
  const speed = document.getElementById("speed");
  const SPEED = "qualicall.playback-rate";
  const speeds = speed ? Array.from(speed.options).map((option) => parseFloat(option.value)) : [];
  function setSpeed(rate) {
    if (!player || !speeds.includes(rate)) return;
    player.defaultPlaybackRate = rate;  // what a reload of the source starts at
    player.playbackRate = rate;
    speed.value = String(rate);
    localStorage.setItem(SPEED, String(rate));
  }
  if (speed) {
    setSpeed(parseFloat(localStorage.getItem(SPEED) || "1"));
    speed.addEventListener("change", () => setSpeed(parseFloat(speed.value)));
  }

  function step(by) {
    const index = selected === null ? (by > 0 ? -1 : keys.length) : keys.indexOf(selected);
    const key = keys[Math.max(0, Math.min(keys.length - 1, index + by))];
    selected = key;
    showItem(key);
    const button = document.querySelector(`tr[id="item-${CSS.escape(key)}"] .item-button`);
    if (button) button.focus({ preventScroll: true });
  }

  // Single-key shortcuts can be turned off (WCAG 2.1.4: a speech-input user's words would fire them), in the help.
  const SHORTCUTS = "qualicall.shortcuts";
  const shortcutsOn = document.getElementById("shortcuts-on");
  shortcutsOn.checked = localStorage.getItem(SHORTCUTS) !== "off";
  shortcutsOn.addEventListener("change", () => localStorage.setItem(SHORTCUTS, shortcutsOn.checked ? "on" : "off"));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if ((dialog && dialog.open) || help.open) return;  // Escape closes them (the browser's own)
    if (event.target.closest("input, textarea, select, audio, [contenteditable], a")) return;  // a link's keys are its own
    if (!shortcutsOn.checked) return;
    if (event.key === " ") {
      // Space presses the focused button (« Corriger », a time to listen from), as everywhere; it plays or pauses
      // the call from the page or from an item of the grid, where j and k leave the focus.
      if (!player || (event.target.closest("button, summary") && !event.target.closest(".item-button"))) return;
      event.preventDefault();
      if (player.paused) player.play().catch(() => {}); else player.pause();
    } else if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      step(event.key === "j" ? 1 : -1);
    } else if (event.key === "o") {
      const key = selected || (document.querySelector("tr.item.failed") || document.querySelector("tr.item")).dataset.item;
      event.preventDefault();
      selected = key;
      openOverride(key);
    } else if (event.key === "n") {
      if (!nextLink.hidden) { event.preventDefault(); window.location.href = nextLink.href; }
    } else if ((event.key === "<" || event.key === ">") && speed) {
      event.preventDefault();
      const index = speeds.indexOf(player.playbackRate);
      const at = index < 0 ? speeds.indexOf(1) : index;
      setSpeed(speeds[Math.max(0, Math.min(speeds.length - 1, at + (event.key === ">" ? 1 : -1)))]);
    } else if (event.key === "?") {
      event.preventDefault();
      help.showModal();
    }
  });
})();
