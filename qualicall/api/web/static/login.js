// The sign-in page: say at once when this browser will drop the Secure session cookie at this address
// (plain HTTP on a host that is not localhost). The browser's verdict wins over the server's guess,
// which cannot see a TLS proxy that does not say so.
(function () {
  "use strict";
  const warning = document.getElementById("insecure-origin");
  if (!warning || !warning.dataset.secureCookies) return;
  if (window.isSecureContext) {
    warning.hidden = true;
  } else if (warning.hidden && !document.querySelector("p.error:not(#insecure-origin)")) {
    warning.textContent = warning.dataset.template.replace("{origin}", window.location.origin);
    warning.setAttribute("role", "alert");
    warning.hidden = false;
  }
})();
