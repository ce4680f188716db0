/* Staff live notifications for every portal page.
 * Opens the staff WebSocket (/ws/, authenticated by the portal session) and shows toasts for
 * business events and chat messages. The header badges (#live-badges, rendered by the server with
 * the page: chat/badges.py) are links to their queues; their counts come from the server only, on
 * page load and in the socket's "badges" frames, so a new tab shows the same numbers and your own
 * actions never raise them. Toasts live in a polite live region; each is a link plus a dismiss
 * button, reachable by Tab; Escape dismisses the focused (or newest) toast.
 * Pages such as the support inbox subscribe with window.autolabLive.on(fn) instead of opening a
 * second socket. */
(function () {
  "use strict";
  var root = document.getElementById("autolab-live");
  if (!root || window.autolabLive) { return; }
  var listeners = [];
  var state = { userId: null, chat: false, socket: null, connected: false };
  var QUIET = { "connection": 1, "inbox": 1, "slots.updated": 1, "error": 1, "badges": 1 };
  var TOAST_MS = 8000;

  function renderStatus() {
    var dot = document.getElementById("live-status");
    if (!dot) { return; }
    var text = state.connected ? "Live updates connected" : "Live updates disconnected";
    dot.className = "live-status" + (state.connected ? " on" : "");
    dot.title = text;
    dot.setAttribute("aria-label", text);
  }

  function renderBadges(badges) {
    var host = document.getElementById("live-badges");
    if (!host || !Array.isArray(badges)) { return; }
    badges.forEach(function (badge) {
      var link = host.querySelector(".live-badge[data-category='" + badge.category + "']");
      if (!link) {
        link = document.createElement("a");
        link.className = "live-badge";
        link.dataset.category = badge.category;
        link.appendChild(document.createTextNode(badge.label + " "));
        var count = document.createElement("span");
        count.className = "live-count";
        link.appendChild(count);
        host.appendChild(link);
      }
      link.href = badge.url;
      link.title = badge.description;
      link.setAttribute("aria-label", badge.label + ": " + badge.description);
      link.classList.toggle("zero", !badge.count);
      link.querySelector(".live-count").textContent = String(badge.count);
    });
  }

  function toastHost() {
    var host = document.getElementById("live-toasts");
    if (!host) {
      host = document.createElement("div");
      host.id = "live-toasts";
      host.setAttribute("role", "region");
      host.setAttribute("aria-label", "Notifications");
      host.setAttribute("aria-live", "polite");
      document.body.appendChild(host);
    }
    return host;
  }

  function dismiss(element) {
    if (!element || !element.parentNode) { return; }
    var hadFocus = element.contains(document.activeElement);
    clearTimeout(element.dismissTimer);
    element.remove();
    if (hadFocus) {
      var next = toastHost().querySelector(".live-toast a, .live-toast button");
      if (next) { next.focus(); }
    }
  }

  function schedule(element, ms) {
    clearTimeout(element.dismissTimer);
    element.dismissTimer = setTimeout(function () { dismiss(element); }, ms);
  }

  function toast(title, text, url) {
    var element = document.createElement("div");
    element.className = "live-toast";
    var body = document.createElement(url ? "a" : "div");
    body.className = "live-toast-body";
    if (url) { body.href = url; }
    var strong = document.createElement("strong");
    strong.textContent = title;
    body.appendChild(strong);
    body.appendChild(document.createTextNode(text || ""));
    element.appendChild(body);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "live-toast-close";
    close.setAttribute("aria-label", "Dismiss notification: " + title);
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { dismiss(element); });
    element.appendChild(close);
    toastHost().appendChild(element);
    schedule(element, TOAST_MS);
    // Kept while the pointer or the keyboard focus is on it.
    element.addEventListener("mouseenter", function () { clearTimeout(element.dismissTimer); });
    element.addEventListener("focusin", function () { clearTimeout(element.dismissTimer); });
    element.addEventListener("mouseleave", function () {
      if (!element.contains(document.activeElement)) { schedule(element, 3000); }
    });
    element.addEventListener("focusout", function (event) {
      if (!element.contains(event.relatedTarget)) { schedule(element, 3000); }
    });
    return element;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var toasts = toastHost().querySelectorAll(".live-toast");
    if (!toasts.length) { return; }
    var focused = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest(".live-toast") : null;
    dismiss(focused || toasts[toasts.length - 1]);
  });

  function describe(event) {
    if (event.type === "message" && event.subtype === "new") {
      if (event.senderId === state.userId || event.receiverId === event.clientId) { return null; }
      return { title: "New message from " + (event.senderName || "Customer"), text: event.message,
               url: root.dataset.inboxUrl + encodeURIComponent(event.clientId) + "/" };
    }
    if (event.actorId && event.actorId === state.userId) { return null; }  // your own action
    if (event.title || typeof event.message === "string") {
      return { title: event.title || humanize(event.type), text: event.message || "", url: event.url || null };
    }
    if (TITLES[event.type]) {
      // Business events of other apps carry ids and states, not sentences.
      var id = event.customerName || event.referenceNumber || "";
      var phase = event.status || event.paymentStatus || "";
      return { title: TITLES[event.type], text: [id, humanize(phase)].filter(Boolean).join(" · "), url: event.url || null };
    }
    return null;
  }

  var TITLES = {
    "appointment.created": "New appointment booked", "appointment.updated": "Appointment updated",
    "appointment.cancellation_requested": "Cancellation requested",
    "order.created": "New order created", "order.updated": "Order updated",
    "payment.confirmed": "Payment confirmed", "payment.refunded": "Payment refunded", "payment.reverted": "Payment reverted",
    "inquiry.created": "New customer inquiry"
  };

  function humanize(type) {
    if (!type) { return ""; }
    var words = String(type).replace(/[._-]+/g, " ").trim().toLowerCase();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function onEvent(event) {
    listeners.forEach(function (fn) { try { fn(event); } catch (e) { console.error(e); } });
    if (event.type === "badges") { renderBadges(event.badges); return; }
    if (QUIET[event.type] || (event.type === "notification" && event.subtype === "status")) { return; }
    if (event.type === "notification" && /^user-(connected|disconnected)$/.test(event.subtype || "")) { return; }
    var shown = describe(event);
    if (shown) { toast(shown.title, shown.text, shown.url); }
  }

  var retries = 0;
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + root.dataset.wsPath);
    state.socket = socket;
    socket.onopen = function () { socket.send(JSON.stringify({ action: "staff-init", badges: true })); };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "connection" && event.subtype === "init") {
        state.connected = !!event.success; state.userId = event.userId || null; state.chat = !!event.chat;
        retries = 0; renderStatus();
        document.body.dataset.liveReady = state.connected ? "1" : "0";
      }
      onEvent(event);
    };
    socket.onclose = function () {
      state.connected = false; renderStatus();
      document.body.dataset.liveReady = "0";
      retries += 1;
      setTimeout(connect, Math.min(10000, 1000 * Math.pow(2, Math.min(retries, 4))));
    };
  }
  setInterval(function () {
    if (state.socket && state.socket.readyState === 1) { state.socket.send(JSON.stringify({ action: "ping", timestamp: Date.now() })); }
  }, 25000);

  window.autolabLive = {
    on: function (fn) { listeners.push(fn); },
    state: state,
    toast: toast,
    dismiss: dismiss
  };
  function ready() { toastHost(); renderStatus(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
  connect();
})();
