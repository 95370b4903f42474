// The printable evaluation: its button opens the browser's print dialog (the page's CSS lays it out on A4).
(function () {
  "use strict";
  const button = document.getElementById("print-button");
  if (button) button.addEventListener("click", () => window.print());
})();
