// The recording beside its transcript, on the call page and the blind scoring page: a click on a turn (or its time)
// plays from there, and the turn being spoken is marked. Plain JavaScript, no build step.
// `window.qualicallTranscript.seek(time)` moves the player (the call page's evidence, sentiment points).
(function () {
  "use strict";
  const player = document.getElementById("player");
  const transcript = document.getElementById("transcript");
  const turns = transcript ? Array.from(transcript.querySelectorAll(".turn")) : [];
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

  if (transcript) {
    transcript.addEventListener("click", (event) => {
      const li = event.target.closest(".turn");
      if (!li || li.dataset.start === undefined) return;
      if (window.getSelection && String(window.getSelection()).length > 0 && !event.target.closest(".seek")) return;
      seek(parseFloat(li.dataset.start));
      if (player && player.paused && event.target.closest(".seek")) player.play().catch(() => {});
    });
  }

  if (player) {
    player.addEventListener("timeupdate", () => markCurrent(player.currentTime));
    player.addEventListener("seeked", () => markCurrent(player.currentTime));
  }

  window.qualicallTranscript = { seek };
})();
