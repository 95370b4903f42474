// The interaction page: evidence highlighting, audio/transcript sync, the override dialog.
// Plain JavaScript, no build step: the page works from the server-rendered HTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("call-data").textContent);
  const player = document.getElementById("player");
  const transcript = document.getElementById("transcript");
  const turns = Array.from(transcript.querySelectorAll(".turn"));
  const timed = turns.filter((li) => li.dataset.start !== undefined)
    .map((li) => ({ li, start: parseFloat(li.dataset.start), end: parseFloat(li.dataset.end) }));
  let current = null;

  function seek(time) {
    if (!player || time === null || time === undefined || isNaN(time)) return;
    player.currentTime = time;
    markCurrent(time);
  }

  // The turn being spoken: the last one that started at or before `time` (binary search: long calls).
  function turnAt(time) {
    let low = 0, high = timed.length - 1, found = null;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (timed[mid].start <= time) { found = timed[mid]; low = mid + 1; } else { high = mid - 1; }
    }
    return found;
  }

  function markCurrent(time) {
    const entry = turnAt(time);
    const li = entry ? entry.li : null;
    if (li === current) return;
    if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
    current = li;
    if (li) {
      li.classList.add("current");
      li.setAttribute("aria-current", "true");
      if (player && !player.paused) li.scrollIntoView({ block: "nearest" });
    }
  }

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

  document.querySelectorAll("[data-item].item-button, .failed-summary [data-item]").forEach((button) => {
    button.addEventListener("click", () => {
      showItem(button.dataset.item);
      if (button.closest(".failed-summary")) {
        const row = document.getElementById("item-" + button.dataset.item);
        if (row) row.querySelector(".item-button").focus();
      }
    });
  });

  transcript.addEventListener("click", (event) => {
    const li = event.target.closest(".turn");
    if (!li || li.dataset.start === undefined) return;
    if (window.getSelection && String(window.getSelection()).length > 0 && !event.target.closest(".seek")) return;
    seek(parseFloat(li.dataset.start));
    if (player && player.paused && event.target.closest(".seek")) player.play().catch(() => {});
  });

  if (player) {
    player.addEventListener("timeupdate", () => markCurrent(player.currentTime));
    player.addEventListener("seeked", () => markCurrent(player.currentTime));
  }

  // Override dialog: one dialog, filled with the item that was chosen.
  const dialog = document.getElementById("override-dialog");
  const title = document.getElementById("override-title");
  const comment = document.getElementById("override-comment");
  document.querySelectorAll(".override-button").forEach((button) => {
    button.addEventListener("click", () => {
      const key = button.dataset.item;
      document.getElementById("override-item").value = key;
      document.getElementById("override-auto").textContent = data.items[key].auto_label;
      title.textContent = title.dataset.template.replace("{item}", button.dataset.label);
      dialog.querySelectorAll("input[name=status]").forEach((radio) => { radio.checked = radio.value === button.dataset.status; });
      comment.value = "";
      dialog.showModal();
      comment.focus();
    });
  });
  document.getElementById("override-cancel").addEventListener("click", () => dialog.close());
  dialog.querySelector("form").addEventListener("submit", (event) => {
    const chosen = dialog.querySelector("input[name=status]:checked");
    const key = document.getElementById("override-item").value;
    if (chosen && chosen.value !== data.items[key].auto && !comment.value.trim()) {
      event.preventDefault();
      comment.setAttribute("aria-invalid", "true");
      comment.focus();
    }
  });

  // Opened from a link to one item (…?item=greeting.salutation): show it at once.
  const wanted = new URLSearchParams(window.location.search).get("item");
  if (wanted && data.items[wanted]) showItem(wanted);
})();
