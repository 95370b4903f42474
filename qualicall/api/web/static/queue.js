// The review queue: remember this page's calls in their order, so that a call page can go on to the
// next one (key n, « Appel suivant ») and back to this page with its filters.
(function () {
  "use strict";
  const ids = Array.from(document.querySelectorAll("table.queue tbody tr[data-id]")).map((row) => row.dataset.id);
  const next = document.querySelector("nav.pager a[rel=next]");
  sessionStorage.setItem("qualicall.queue", JSON.stringify({ url: window.location.pathname + window.location.search, ids, next: next ? next.getAttribute("href") : null }));
})();
