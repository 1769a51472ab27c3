// Live updates: when /events says a list ref moved, fetch this page's
// content again and swap it in (no reload, no framework).
(function () {
  "use strict";
  var main = document.getElementById("content");
  if (!main || !window.EventSource || !window.fetch) return;
  var busy = false, again = false, updates = 0, connected = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var url = new URL(window.location.href);
    url.searchParams.set("fragment", "1");
    fetch(url.toString(), { cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        main.innerHTML = html;
        updates += 1;
        document.body.setAttribute("data-updates", String(updates));
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var events = new EventSource("/events");
  events.addEventListener("change", refresh);
  events.addEventListener("ready", function () {
    // After a reconnection, changes may have been missed: fetch once.
    if (connected) refresh();
    connected = true;
    document.body.setAttribute("data-live", "1");
  });
  events.addEventListener("error", function () { document.body.removeAttribute("data-live"); });
})();
