// Writes each feed row's time in the founder's own time zone (data-at is ISO UTC), as rows arrive.
(function () {
  const time = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const dateTime = new Intl.DateTimeFormat([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  const today = () => new Date().toDateString();
  function stamp(el) {
    const at = el.getAttribute("data-at");
    if (!at || el.getAttribute("data-stamped") === at) return;
    const when = new Date(at);
    el.setAttribute("data-time", when.toDateString() === today() ? time.format(when) : dateTime.format(when));
    el.setAttribute("data-stamped", at);
  }
  function scan(node) {
    if (node.nodeType !== 1) return;
    if (node.matches("time.feed-time")) stamp(node);
    node.querySelectorAll("time.feed-time").forEach(stamp);
  }
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === "attributes") stamp(m.target);
      else m.addedNodes.forEach(scan);
    }
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-at"] });
  scan(document.documentElement);
})();

// Live clocks on the build page: data-since="ISO" shows the time elapsed, data-until="ISO" a countdown.
(function () {
  function span(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return h ? `${h}h ${String(m).padStart(2, "0")}m` : `${m}m ${String(s).padStart(2, "0")}s`;
  }
  setInterval(function () {
    const now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      const at = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(at)) el.textContent = span((now - at) / 1000) + " so far";
    });
    document.querySelectorAll("[data-until]").forEach(function (el) {
      const at = Date.parse(el.getAttribute("data-until"));
      if (!isNaN(at)) el.textContent = "wakes in " + span((at - now) / 1000);
    });
  }, 1000);
})();
